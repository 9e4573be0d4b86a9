#!/bin/sh
# Check the Linux packages that package.sh wrote, the way a user gets them: unpack the tarball,
# install it into a temp prefix (twice: install, then upgrade), run the smoke test through the
# installed command, check the menu entry and icons, uninstall, and check nothing is left.
# Then the smoke test again through the AppDir's AppRun.
#
#   installer/linux/check.sh [TARBALL]
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
TARBALL=${1:-$(ls -t "$ROOT"/dist/faktory-desktop-*-linux-*.tar.gz | head -n 1)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/faktory-pkg-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PREFIX=$TMP/prefix
BIN=$PREFIX/bin/faktory-desktop
DESKTOP=$PREFIX/share/applications/faktory-desktop.desktop

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

tar -C "$TMP" -xzf "$TARBALL"
INSTALL=$(ls "$TMP"/faktory-desktop-*/install.sh)
ok "unpacked $(basename "$TARBALL")"

PREFIX=$PREFIX HOME=$TMP/home sh "$INSTALL" >/dev/null
PREFIX=$PREFIX HOME=$TMP/home sh "$INSTALL" >/dev/null  # an upgrade over itself
if [ ! -L "$BIN" ] || [ ! -x "$BIN" ]; then fail "$BIN is not an executable symlink"; fi
ok "installed (twice) into a temp prefix; bin/faktory-desktop -> $(readlink "$BIN")"

"$BIN" --version >/dev/null || fail "$BIN --version"
ok "faktory-desktop --version through the symlink: $("$BIN" --version)"

grep -qx "Exec=$BIN" "$DESKTOP" || fail "$DESKTOP does not run $BIN"
ok "the menu entry runs $BIN"
for icon in 16x16 48x48 256x256 512x512; do
    [ -f "$PREFIX/share/icons/hicolor/$icon/apps/faktory-desktop.png" ] || fail "no $icon icon"
done
[ -f "$PREFIX/share/icons/hicolor/scalable/apps/faktory-desktop.svg" ] || fail "no svg icon"
ok "icons in share/icons/hicolor/<size>x<size>/apps and scalable/apps"
if command -v desktop-file-validate >/dev/null 2>&1; then
    # desktop-file-utils before 0.27 does not know Version=1.5 (2020) yet: not an error.
    problems=$(desktop-file-validate "$DESKTOP" | grep -v 'value "1.5" for key "Version"' || true)
    [ -z "$problems" ] || fail "desktop-file-validate: $problems"
    ok "desktop-file-validate passes"
fi

"$PYTHON" "$ROOT/build/smoke.py" "$BIN" | sed 's/^/  /'
ok "the smoke test passes against the installed copy"

PREFIX=$PREFIX HOME=$TMP/home sh "$INSTALL" --uninstall >/dev/null
# Shared caches that update-desktop-database / gtk-update-icon-cache keep are not ours.
left=$(find "$PREFIX" \( -type f -o -type l \) ! -name mimeinfo.cache ! -name icon-theme.cache)
[ -z "$left" ] || fail "left after --uninstall: $left"
ok "--uninstall removes every installed file"

APPRUN=$ROOT/dist/linux/AppDir/AppRun
if [ -x "$APPRUN" ]; then
    "$PYTHON" "$ROOT/build/smoke.py" "$APPRUN" | sed 's/^/  /'
    for f in faktory-desktop.desktop faktory-desktop.png .DirIcon; do
        [ -e "$ROOT/dist/linux/AppDir/$f" ] || fail "AppDir has no $f"
    done
    ok "AppDir: the smoke test passes through AppRun; .desktop, icon and .DirIcon in place"
fi
echo "Linux package check passed"
