#!/usr/bin/env python3
"""Draws Sitewatch's icon (a river crossed by a bridge under a dated marker) as the SVG in
assets/icons/sitewatch.svg and PNGs at the hicolor sizes, with nothing but the standard
library: each pixel is 4x4 supersampled from the same shapes the SVG holds.

    python3 packaging/make-icons.py
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]

# Shapes in a 256 x 256 box: (kind, params, rgba).
BG = (0x1B, 0x2A, 0x3A, 255)
LAND = (0x6B, 0x7F, 0x4E, 255)
RIVER = (0x3E, 0x7C, 0xB1, 255)
BRIDGE = (0xF0, 0xE4, 0x42, 255)
PIER = (0xE6, 0x6A, 0x1F, 255)
PIN = (0xFF, 0xFF, 0xFF, 255)


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and x0 <= x <= x1 and y0 <= y <= y1


def river(x, y):
    # A band running from the top right to the bottom left, gently curved.
    centre = 150 - 0.55 * (y - 128) + 14 * math.sin(y / 40.0)
    return abs(x - centre) <= 34


def colour(x, y):
    if not inside_round_rect(x, y, 8, 8, 248, 248, 44):
        return None
    c = BG
    if inside_round_rect(x, y, 24, 24, 232, 232, 30):
        c = LAND
        if river(x, y):
            c = RIVER
    # The bridge: a deck across the river with piers under it.
    if 56 <= x <= 200 and 150 <= y <= 162:
        c = BRIDGE
    for px in (92, 128, 164):
        if (x - px) ** 2 + (y - 168) ** 2 <= 10 ** 2:
            c = PIER
    # The dated marker above: a pin.
    if (x - 128) ** 2 + (y - 84) ** 2 <= 30 ** 2 and not (x - 128) ** 2 + (y - 84) ** 2 <= 12 ** 2:
        c = PIN
    if 96 <= y <= 134 and abs(x - 128) <= (134 - y) * 0.62 and not (x - 128) ** 2 + (y - 84) ** 2 <= 12 ** 2:
        c = PIN
    return c


def png(size):
    rows = []
    k = 4
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(k):
                for si in range(k):
                    x = (i + (si + 0.5) / k) * 256 / size
                    y = (j + (sj + 0.5) / k) * 256 / size
                    c = colour(x, y)
                    if c:
                        for n in range(3):
                            acc[n] += c[n] * c[3]
                        acc[3] += c[3]
            a = acc[3] / (k * k)
            if acc[3]:
                row += bytes(round(acc[n] / acc[3]) for n in range(3)) + bytes([round(a)])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <rect x="8" y="8" width="240" height="240" rx="44" fill="#1B2A3A"/>
  <rect x="24" y="24" width="208" height="208" rx="30" fill="#6B7F4E"/>
  <clipPath id="land"><rect x="24" y="24" width="208" height="208" rx="30"/></clipPath>
  <path clip-path="url(#land)" fill="#3E7CB1" d="{river}"/>
  <rect x="56" y="150" width="144" height="12" fill="#F0E442"/>
  <circle cx="92" cy="168" r="10" fill="#E66A1F"/>
  <circle cx="128" cy="168" r="10" fill="#E66A1F"/>
  <circle cx="164" cy="168" r="10" fill="#E66A1F"/>
  <path fill="#FFFFFF" fill-rule="evenodd" d="M128 54a30 30 0 1 1 0 60a30 30 0 1 1 0-60zM128 72a12 12 0 1 0 0 24a12 12 0 1 0 0-24zM104.4 96L151.6 96L128 134z"/>
</svg>
"""


def river_path():
    left = []
    right = []
    for y in range(0, 257, 8):
        centre = 150 - 0.55 * (y - 128) + 14 * math.sin(y / 40.0)
        left.append((centre - 34, y))
        right.append((centre + 34, y))
    pts = left + right[::-1]
    return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z"


if __name__ == "__main__":
    out = os.path.join(HERE, "..", "assets", "icons")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "sitewatch.svg"), "w") as f:
        f.write(SVG.replace("{river}", river_path()))
    for s in SIZES:
        with open(os.path.join(out, f"{s}.png"), "wb") as f:
            f.write(png(s))
    print("wrote", out)
