#!/bin/sh
# Turn the PyInstaller bundle (dist/faktory-desktop/, from build/build.py) into Linux packages:
#
#   dist/faktory-desktop-VERSION-linux-ARCH.tar.gz   the bundle, the menu entry, the icons and
#                                                   install.sh (per user, into ~/.local)
#   dist/linux/AppDir/                               the AppImage's tree (AppRun, .desktop, icon)
#   dist/Faktory_Desktop-VERSION-ARCH.AppImage       when appimagetool is on PATH (or $APPIMAGETOOL)
#
#   installer/linux/package.sh
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/installer/linux
BUNDLE=$ROOT/dist/faktory-desktop
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/faktory_desktop/__init__.py")
ARCH=$(uname -m)
NAME=faktory-desktop-$VERSION-linux-$ARCH
OUT=$ROOT/dist/linux
TARBALL=$ROOT/dist/$NAME.tar.gz

[ -x "$BUNDLE/faktory-desktop" ] || {
    echo "no bundle at $BUNDLE: run .venv/bin/python build/build.py first" >&2
    exit 1
}

# The menu entry and the icons, in the freedesktop layout, under $1/share.
stage_share() {
    mkdir -p "$1/share/applications" "$1/share/icons/hicolor/scalable/apps"
    cp "$ROOT/resources/faktory-desktop.desktop" "$1/share/applications/"
    for png in "$ROOT"/resources/icons/faktory-desktop-*.png; do
        size=${png##*-}
        size=${size%.png}
        mkdir -p "$1/share/icons/hicolor/${size}x${size}/apps"
        cp "$png" "$1/share/icons/hicolor/${size}x${size}/apps/faktory-desktop.png"
    done
    cp "$ROOT/resources/icons/faktory-desktop.svg" "$1/share/icons/hicolor/scalable/apps/"
}

rm -rf "$OUT"
mkdir -p "$OUT"

# -- (a) the tarball ------------------------------------------------------------------------------
STAGE=$OUT/$NAME
mkdir -p "$STAGE"
cp -a "$BUNDLE" "$STAGE/faktory-desktop"
stage_share "$STAGE"
cp "$HERE/install.sh" "$STAGE/install.sh"
chmod 755 "$STAGE/install.sh"
tar -C "$OUT" --owner=0 --group=0 --numeric-owner -czf "$TARBALL" "$NAME"
echo "wrote $TARBALL ($(du -h "$TARBALL" | cut -f1))"

# -- (b) the AppImage -----------------------------------------------------------------------------
APPDIR=$OUT/AppDir
mkdir -p "$APPDIR/usr/lib"
cp -a "$BUNDLE" "$APPDIR/usr/lib/faktory-desktop"
stage_share "$APPDIR/usr"
cp "$HERE/AppRun" "$APPDIR/AppRun"
chmod 755 "$APPDIR/AppRun"
cp "$ROOT/resources/faktory-desktop.desktop" "$APPDIR/"
cp "$ROOT/resources/icons/faktory-desktop-256.png" "$APPDIR/faktory-desktop.png"
ln -sf faktory-desktop.png "$APPDIR/.DirIcon"
echo "wrote $APPDIR"

TOOL=${APPIMAGETOOL:-$(command -v appimagetool || command -v appimagetool-"$ARCH".AppImage || true)}
if [ -n "$TOOL" ]; then
    IMAGE=$ROOT/dist/Faktory_Desktop-$VERSION-$ARCH.AppImage
    ARCH=$ARCH "$TOOL" --no-appstream "$APPDIR" "$IMAGE"
    echo "wrote $IMAGE"
else
    echo "appimagetool not found: AppImage skipped. Get appimagetool-$ARCH.AppImage from"
    echo "https://github.com/AppImage/appimagetool/releases, chmod +x it, then rerun with"
    echo "APPIMAGETOOL=/path/to/appimagetool-$ARCH.AppImage installer/linux/package.sh"
fi
