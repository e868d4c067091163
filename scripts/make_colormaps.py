"""Writes matplotlib's 256-entry colour tables for Raster's image grids.

Writes Sources/Raster/ColorMap+Tables.swift: for each map, the 256 RGB bytes that matplotlib's
`Colormap.__call__(x, bytes=True)` gives (the float table times 255, truncated, as imshow draws).
Run once after changing the list (needs PyPI's matplotlib; nothing builds with it):

    pip install matplotlib && python3 scripts/make_colormaps.py

viridis, magma and the other perceptual maps are by Nathaniel J. Smith, Stefan van der Walt and
Eric Firing, released under CC0; Greys is from ColorBrewer (Apache 2.0, Cynthia Brewer).
"""
import matplotlib
from matplotlib import colormaps

MAPS = [("greys", "Greys"), ("viridis", "viridis"), ("magma", "magma")]

def main():
    out = ["// matplotlib's colour tables, written by scripts/make_colormaps.py; do not edit by hand.",
           f"// From matplotlib {matplotlib.__version__}: viridis and magma by Nathaniel J. Smith, Stefan van der Walt",
           "// and Eric Firing (CC0); Greys from ColorBrewer by Cynthia Brewer (Apache License 2.0).",
           "",
           "extension ColorMap {"]
    for swift_name, name in MAPS:
        cmap = colormaps[name]
        assert cmap.N == 256
        table = (cmap(range(256), bytes=True))[:, :3].reshape(-1).tolist()
        rows = [", ".join(str(v) for v in table[i:i + 24]) for i in range(0, len(table), 24)]
        out.append(f"    /// matplotlib's `{name}`: 256 RGB entries.")
        out.append(f"    static let {swift_name}Table: [UInt8] = [")
        out += [f"        {row}," for row in rows]
        out.append("    ]")
        out.append("")
    out[-1] = "}"
    open("Sources/Raster/ColorMap+Tables.swift", "w").write("\n".join(out) + "\n")

if __name__ == "__main__":
    main()
