"""Helpers for the printing tests: flattened PDF text, fonts and links of a PDF."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from motcua.printing.pdf import text_of_pdf


def flat(data: bytes) -> str:
    """The PDF's text with every run of whitespace (line wraps included) as one space."""
    return re.sub(r"\s+", " ", text_of_pdf(data))


def page_texts(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page) for page in text_of_pdf(data).split("\f")]


def font_names(data: bytes) -> set[str]:
    """BaseFont names of every font used on any page, without the subset prefix."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


def links(data: bytes) -> list[tuple[str, list[float]]]:
    """(URI, rectangle in points) of every link annotation of the PDF."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action and "/URI" in action:
                found.append((str(action["/URI"]), [float(v) for v in annot["/Rect"]]))
    return found
