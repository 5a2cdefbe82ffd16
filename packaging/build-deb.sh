#!/usr/bin/env bash
# Builds the Debian package from a built binary:
#   cargo build --release --locked && packaging/build-deb.sh
# Usage: packaging/build-deb.sh [BINARY] [OUT_DIR]   (defaults: target/release/sitewatch, target/deb)
# Prints the .deb's path. Needs dpkg-deb (Debian and Ubuntu have it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/sitewatch}
OUT=${2:-target/deb}
[ -x "$BIN" ] || { echo "no binary at $BIN: build it with cargo build --release --locked" >&2; exit 1; }
VERSION=$("$BIN" --version | awk '{print $2}')
ARCH=$(dpkg --print-architecture)
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT

install -Dm755 "$BIN" "$ROOT/usr/bin/sitewatch"
install -Dm644 packaging/sitewatch.desktop "$ROOT/usr/share/applications/sitewatch.desktop"
install -Dm644 packaging/io.github.sitewatch.Sitewatch.metainfo.xml \
  "$ROOT/usr/share/metainfo/io.github.sitewatch.Sitewatch.metainfo.xml"
install -Dm644 packaging/sitewatch-mime.xml "$ROOT/usr/share/mime/packages/sitewatch.xml"
for size in 16 24 32 48 64 128 256 512; do
  install -Dm644 "assets/icons/$size.png" \
    "$ROOT/usr/share/icons/hicolor/${size}x${size}/apps/sitewatch.png"
done
install -Dm644 assets/icons/sitewatch.svg "$ROOT/usr/share/icons/hicolor/scalable/apps/sitewatch.svg"
DOC="$ROOT/usr/share/doc/sitewatch"
install -Dm644 README.md "$DOC/README.md"
install -Dm644 NOTICE.md "$DOC/NOTICE.md"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: sitewatch"
  echo "Source: https://github.com/sitewatch/sitewatch"
  echo
  echo "Files: *"
  echo "License: MIT or Apache-2.0 (texts below); bundled fonts and data: see NOTICE.md"
  echo
  cat LICENSE-MIT
  echo
  cat LICENSE-APACHE
} > "$DOC/copyright"
chmod 644 "$DOC/copyright"

SIZE_KB=$(du -sk "$ROOT/usr" | cut -f1)
mkdir -p "$ROOT/DEBIAN"
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: sitewatch
Version: $VERSION
Architecture: $ARCH
Maintainer: The Sitewatch developers <sitewatch@users.noreply.github.com>
Installed-Size: $SIZE_KB
Depends: libc6 (>= 2.34), libgcc-s1, libgl1, libegl1, libxkbcommon-x11-0, libwayland-client0, libx11-6, libxcursor1, libxrandr2, libxi6
Recommends: ffmpeg, zenity
Section: science
Priority: optional
Homepage: https://github.com/sitewatch/sitewatch
Description: watch a construction site change through dated imagery
 Sitewatch is a desktop GIS viewer for imagery analysts: dated imagery layers
 (GeoTIFF, world-file images, tile services, PMTiles, STAC), annotated
 structures with sources and dates, a time slider through construction
 stages, comparison of dates, and georeferenced figure, GIF and MP4 export
 from the window and the command line.
CONTROL

mkdir -p "$OUT"
DEB="$OUT/sitewatch_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip -z3 --build "$ROOT" "$DEB" >/dev/null
echo "$DEB"
