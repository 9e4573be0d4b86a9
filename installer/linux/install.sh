#!/bin/sh
# Install Faktory Desktop for this user, with no root: into ~/.local, or into $PREFIX.
#
#   ./install.sh                install, or upgrade in place
#   ./install.sh --uninstall    remove what this script installed (never your jobs' data,
#                               which lives in ~/.local/share/faktory-desktop/db)
#
# Puts the app in $PREFIX/lib/faktory-desktop/, a command in $PREFIX/bin/, the menu entry in
# $PREFIX/share/applications/ and the icons in $PREFIX/share/icons/hicolor/.
set -eu

PREFIX=${PREFIX:-$HOME/.local}
HERE=$(cd "$(dirname "$0")" && pwd)
APP=$PREFIX/lib/faktory-desktop
BIN=$PREFIX/bin/faktory-desktop
APPS=$PREFIX/share/applications
DESKTOP=$APPS/faktory-desktop.desktop
ICONS=$PREFIX/share/icons/hicolor

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$APPS" 2>/dev/null || true
    fi
    # Only refresh a cache that exists: a new one would hide icons other apps add later.
    if [ -f "$ICONS/icon-theme.cache" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t -f "$ICONS" 2>/dev/null || true
    fi
}

uninstall() {
    rm -rf "$APP"
    rm -f "$BIN" "$DESKTOP" "$ICONS"/*/apps/faktory-desktop.png \
        "$ICONS/scalable/apps/faktory-desktop.svg"
    refresh_caches
    echo "Faktory Desktop removed from $PREFIX"
}

install_app() {
    [ -x "$HERE/faktory-desktop/faktory-desktop" ] || {
        echo "install.sh: no faktory-desktop/ next to this script" >&2
        exit 1
    }
    mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$APPS" "$ICONS"
    # Copy beside the old version, then swap, so an interrupted upgrade leaves a working app.
    rm -rf "$APP.new"
    cp -R "$HERE/faktory-desktop" "$APP.new"
    rm -rf "$APP"
    mv "$APP.new" "$APP"
    ln -sfn "$APP/faktory-desktop" "$BIN"
    (cd "$HERE/share/icons/hicolor" && find . -name 'faktory-desktop.*' -type f) |
        while read -r icon; do
            mkdir -p "$ICONS/$(dirname "$icon")"
            cp "$HERE/share/icons/hicolor/$icon" "$ICONS/$icon"
        done
    # The menu entry runs the app by its full path: a desktop session's PATH often lacks
    # ~/.local/bin.
    case $BIN in
        *" "*) exec_line="\"$BIN\"" ;;
        *) exec_line=$BIN ;;
    esac
    sed -e "s|^Exec=.*|Exec=$exec_line|" -e "/^TryExec=/d" \
        "$HERE/share/applications/faktory-desktop.desktop" >"$DESKTOP"
    refresh_caches
    echo "Faktory Desktop installed in $APP"
    echo "  run it from the applications menu, or: $BIN (headless: $BIN serve)"
    case ":$PATH:" in
        *":$PREFIX/bin:"*) ;;
        *) echo "  note: $PREFIX/bin is not on your PATH" ;;
    esac
}

case "${1:-}" in
    --uninstall) uninstall ;;
    "") install_app ;;
    *) echo "usage: $0 [--uninstall]" >&2; exit 2 ;;
esac
