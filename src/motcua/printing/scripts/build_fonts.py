"""Rebuild fonts/Tinos-*.ttf from the @fontsource/tinos npm package.

Usage:
    cd /tmp && npm pack @fontsource/tinos && tar xzf fontsource-tinos-*.tgz
    .venv/bin/python src/motcua/printing/scripts/build_fonts.py /tmp/package

Fontsource ships Tinos split into unicode-range subsets; Vietnamese text needs three of them
(latin, latin-ext for Ă Đ Ơ Ư…, vietnamese for U+1EA0–1EF9). Merging them into one TrueType file
per style keeps a word in one font run (kerning and diacritic placement intact) and the CSS short.
The package's LICENSE (SIL OFL 1.1) is copied beside the fonts as OFL.txt.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from fontTools.merge import Merger
from fontTools.ttLib import TTFont

SUBSETS = ("latin", "latin-ext", "vietnamese")
STYLES = {
    "400-normal": "Regular",
    "700-normal": "Bold",
    "400-italic": "Italic",
    "700-italic": "BoldItalic",
}
FONTS_DIR = Path(__file__).resolve().parents[1] / "fonts"


def build(package: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for style, name in STYLES.items():
            parts = []
            for subset in SUBSETS:
                font = TTFont(package / "files" / f"tinos-{subset}-{style}.woff2")
                font.flavor = None
                part = Path(tmp) / f"{subset}-{style}.ttf"
                font.save(part)
                parts.append(str(part))
            merged = Merger().merge(parts)
            merged.save(FONTS_DIR / f"Tinos-{name}.ttf")
            print(FONTS_DIR / f"Tinos-{name}.ttf")
    shutil.copyfile(package / "LICENSE", FONTS_DIR / "OFL.txt")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
