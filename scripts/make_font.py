"""Renders the printable ASCII glyphs of DejaVu Sans into the built-in bitmap fonts of Raster.

Writes Sources/Raster/BitmapFont+DejaVuSans.swift: for each font size, each glyph's advance,
bitmap box and 8-bit coverage, base64-encoded. Needs Pillow and fonts-dejavu-core:

    pip install pillow && python3 scripts/make_font.py

DejaVu Sans is Bitstream Vera with DejaVu changes (public domain); the Vera license permits
this use provided its notice travels with the glyphs, which the generated file carries.
"""
import base64, os
from PIL import Image, ImageDraw, ImageFont

FONTS = [  # (Swift name, TTF file, pixel size)
    ("small", "DejaVuSans.ttf", 11),
    ("regular", "DejaVuSans.ttf", 13),
    ("bold", "DejaVuSans-Bold.ttf", 15),
]
ROOT = "/usr/share/fonts/truetype/dejavu/"
NOTICE = """// Glyphs rendered from DejaVu Sans by scripts/make_font.py; do not edit by hand.
//
// Copyright (c) 2003 by Bitstream, Inc. All Rights Reserved. Bitstream Vera is a trademark of
// Bitstream, Inc. DejaVu changes are in public domain. Permission is hereby granted, free of
// charge, to any person obtaining a copy of the fonts accompanying this license ("Fonts") and
// associated documentation files (the "Font Software"), to reproduce and distribute the Font
// Software, including without limitation the rights to use, copy, merge, publish, distribute,
// and/or sell copies of the Font Software, and to permit persons to whom the Font Software is
// furnished to do so, subject to the conditions of the Bitstream Vera license (the above
// copyright and trademark notices and this permission notice shall be included in all copies
// of one or more of the Font Software typefaces; the Font Software may not be sold by itself).
"""

def render(path, size):
    font = ImageFont.truetype(path, size)
    ascent, descent = font.getmetrics()
    glyphs = []
    for code in range(32, 127):
        ch = chr(code)
        advance = round(font.getlength(ch))
        box = font.getbbox(ch)  # relative to the origin at the top of the ascent
        if box is None or box[2] <= box[0] or box[3] <= box[1]:
            glyphs.append((advance, 0, 0, 0, 0, b""))
            continue
        w, h = box[2] - box[0], box[3] - box[1]
        image = Image.new("L", (w, h), 0)
        ImageDraw.Draw(image).text((-box[0], -box[1]), ch, font=font, fill=255)
        # x offset from the pen, y offset of the top from the baseline (negative is above).
        glyphs.append((advance, box[0], box[1] - ascent, w, h, image.tobytes()))
    return ascent, descent, glyphs

def main():
    out = [NOTICE, "extension BitmapFont {"]
    for name, file, size in FONTS:
        ascent, descent, glyphs = render(ROOT + file, size)
        metrics = ", ".join(f"[{a}, {x}, {y}, {w}, {h}]" for a, x, y, w, h, _ in glyphs)
        data = base64.b64encode(b"".join(g[5] for g in glyphs)).decode()
        out.append(f"    /// DejaVu {'Sans Bold' if 'Bold' in file else 'Sans'} at {size} px.")
        out.append(f"    public static let {name} = BitmapFont(")
        bold = ", isBold: true" if "Bold" in file else ""
        out.append(f"        ascent: {ascent}, descent: {descent}, pixelSize: {size}{bold},")
        out.append(f"        metrics: [{metrics}],")
        lines = [data[i:i + 96] for i in range(0, len(data), 96)]
        out.append("        coverage: \"\"\"")
        out.extend("        " + line for line in lines)
        out.append("        \"\"\")")
        out.append("")
    out[-1] = "}"
    target = os.path.join(os.path.dirname(__file__), "..", "Sources", "Raster", "BitmapFont+DejaVuSans.swift")
    with open(target, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", os.path.normpath(target))

main()
