#!/usr/bin/env bash
# Checks the Debian package of a built binary as CI does: its file list, the desktop entry
# (desktop-file-validate), the AppStream metainfo (appstreamcli, where installed), that
# `apt-get install ./x.deb` installs it, and that the installed binary starts the real window
# and saves a screenshot under Xvfb (Mesa's software GL).
# Usage: packaging/check-deb.sh [BINARY]   (default: target/debug/sitewatch, the test build's)
# Needs root (or sudo), dpkg-deb, desktop-file-utils, xvfb and xauth.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
BIN=${1:-target/debug/sitewatch}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DEB=$(packaging/build-deb.sh "$BIN" "$OUT")
echo "built $DEB ($(du -h "$DEB" | cut -f1))"

files=$(dpkg-deb -c "$DEB" | awk '{print $6}' | grep -v '/$' | sed 's|^\./|/|' | sort)
expected="/usr/bin/sitewatch
/usr/share/applications/sitewatch.desktop
/usr/share/doc/sitewatch/NOTICE.md
/usr/share/doc/sitewatch/README.md
/usr/share/doc/sitewatch/copyright
/usr/share/icons/hicolor/128x128/apps/sitewatch.png
/usr/share/icons/hicolor/16x16/apps/sitewatch.png
/usr/share/icons/hicolor/24x24/apps/sitewatch.png
/usr/share/icons/hicolor/256x256/apps/sitewatch.png
/usr/share/icons/hicolor/32x32/apps/sitewatch.png
/usr/share/icons/hicolor/48x48/apps/sitewatch.png
/usr/share/icons/hicolor/512x512/apps/sitewatch.png
/usr/share/icons/hicolor/64x64/apps/sitewatch.png
/usr/share/icons/hicolor/scalable/apps/sitewatch.svg
/usr/share/metainfo/io.github.sitewatch.Sitewatch.metainfo.xml
/usr/share/mime/packages/sitewatch.xml"
if [ "$files" != "$expected" ]; then
  echo "unexpected file list:" >&2
  diff <(echo "$expected") <(echo "$files") >&2 || true
  exit 1
fi
echo "file list: $(echo "$files" | wc -l) files as expected"

desktop-file-validate packaging/sitewatch.desktop
echo "desktop-file-validate: clean"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --pedantic packaging/io.github.sitewatch.Sitewatch.metainfo.xml \
    | tail -1
fi

$SUDO apt-get install -y -qq "$DEB" >/dev/null
installed=$(command -v sitewatch)
[ "$installed" = /usr/bin/sitewatch ] || { echo "installed at '$installed'" >&2; exit 1; }
/usr/bin/sitewatch --version

SHOT="$OUT/installed.png"
HOME="$OUT/home" xvfb-run -a -s "-screen 0 1280x800x24" \
  /usr/bin/sitewatch --screenshot "$SHOT" --size 1280x800 --screenshot-timeout 120
[ -s "$SHOT" ] || { echo "no screenshot from the installed binary" >&2; exit 1; }
echo "the installed binary ran the window under Xvfb: $SHOT ($(du -h "$SHOT" | cut -f1))"
