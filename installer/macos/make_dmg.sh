#!/bin/sh
# Package "dist/Faktory Desktop.app" (built on a Mac by build/build.py) into a drag-to-install
# disk image: dist/Faktory-Desktop-VERSION-macos-ARCH.dmg, holding the app and a link to
# /Applications.
#
#   installer/macos/make_dmg.sh
#
# Unsigned by default: Gatekeeper then asks the user to allow the app (right-click > Open, or
# System Settings > Privacy & Security). To sign and notarize, set these for both commands:
#
#   FAKTORY_CODESIGN_IDENTITY="Developer ID Application: Your Name (TEAMID)"
#   FAKTORY_ENTITLEMENTS=installer/macos/entitlements.plist
#       read by build/faktory-desktop.spec: PyInstaller signs every binary in the bundle
#       (Qt's frameworks, the Python extensions, valkey-server) with the hardened runtime and a
#       secure timestamp, then the .app; this script checks that signature and signs the .dmg.
#   FAKTORY_NOTARY_PROFILE=name   a notarytool keychain profile, made once with
#       `xcrun notarytool store-credentials name --apple-id ... --team-id ... --password ...`
#       (an app-specific password); or, instead, FAKTORY_NOTARY_APPLE_ID, FAKTORY_NOTARY_TEAM_ID
#       and FAKTORY_NOTARY_PASSWORD. Then the .dmg is notarized and the ticket stapled to it.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP_NAME="Faktory Desktop"
APP=$ROOT/dist/$APP_NAME.app
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/faktory_desktop/__init__.py")
DMG=$ROOT/dist/Faktory-Desktop-$VERSION-macos-$(uname -m).dmg
IDENTITY=${FAKTORY_CODESIGN_IDENTITY:-}

[ "$(uname -s)" = Darwin ] || { echo "make_dmg.sh runs on macOS only (hdiutil)" >&2; exit 1; }
[ -d "$APP" ] || { echo "no $APP: run .venv/bin/python build/build.py first" >&2; exit 1; }

if [ -n "$IDENTITY" ]; then
    # PyInstaller signed it at build time; a bundle built without the identity is only
    # ad-hoc signed, and re-signing Qt's nested frameworks by hand is easy to get wrong.
    codesign --verify --deep --strict --verbose=2 "$APP"
    if ! codesign -dvv "$APP" 2>&1 | grep -qF "Authority=$IDENTITY"; then
        echo "$APP is not signed by \"$IDENTITY\": rebuild with FAKTORY_CODESIGN_IDENTITY set" >&2
        exit 1
    fi
    echo "signature ok: $IDENTITY"
else
    echo "FAKTORY_CODESIGN_IDENTITY not set: the app and the disk image stay unsigned"
fi

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/faktory-dmg.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
ditto "$APP" "$STAGE/$APP_NAME.app"  # ditto keeps the signatures, symlinks and attributes
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "$APP_NAME $VERSION" -srcfolder "$STAGE" -fs HFS+ \
    -format UDZO -imagekey zlib-level=9 "$DMG"

if [ -n "$IDENTITY" ]; then
    codesign --force --timestamp --sign "$IDENTITY" "$DMG"
    if [ -n "${FAKTORY_NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$DMG" --keychain-profile "$FAKTORY_NOTARY_PROFILE" --wait
    elif [ -n "${FAKTORY_NOTARY_APPLE_ID:-}" ]; then
        xcrun notarytool submit "$DMG" --apple-id "$FAKTORY_NOTARY_APPLE_ID" \
            --team-id "$FAKTORY_NOTARY_TEAM_ID" --password "$FAKTORY_NOTARY_PASSWORD" --wait
    else
        echo "no FAKTORY_NOTARY_PROFILE or FAKTORY_NOTARY_APPLE_ID: not notarized"
        echo "wrote $DMG"
        exit 0
    fi
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
fi
echo "wrote $DMG"
