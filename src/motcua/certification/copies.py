"""The certified copy as a PDF: the scanned original's pages, then a page with the certification
statement (lời chứng).

Decree 23/2015/NĐ-CP art. 20 and the statement form of Circular 01/2020/TT-BTP ("Lời chứng
chứng thực bản sao từ bản chính": "Chứng thực bản sao đúng với bản chính. Số chứng thực …,
quyển số …-SCT/BS. Ngày … tháng … năm …", the certifier's title, name, signature and seal)
— wording UNCONFIRMED against the circular's text. On paper the statement goes on the last
page of the copy; an electronic copy gets it on a page of its own after the scan, so no scanned
content is covered, and the agency's signature covers every page at once.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter

from motcua.documents.inspection import JPEG, PDF, PNG, Inspected

# A scan that does not say its resolution is taken at 200 dpi (an A4 page at 200 dpi is
# 1654 × 2339 pixels, which then prints as A4).
DEFAULT_DPI = 200.0

STATEMENT = "Chứng thực bản sao đúng với bản chính."


def scan_pdf(checked: Inspected) -> tuple[bytes, int]:
    """The scan as a PDF and its number of pages: a PDF as it is, a JPEG or PNG photo as one
    page (turned upright by its EXIF orientation)."""
    if checked.content_type == PDF:
        return checked.content, int(checked.pages or 0)
    assert checked.content_type in (JPEG, PNG), checked.content_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(io.BytesIO(checked.content)) as image:
            image = ImageOps.exif_transpose(image)
            dpi = image.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
            resolution = float(dpi[0]) if dpi and float(dpi[0]) >= 50 else DEFAULT_DPI
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="PDF", resolution=resolution)
    return out.getvalue(), 1


def statement_pdf(*, entry, agency) -> bytes:
    """The statement page (WeasyPrint, the bundled font), in Vietnamese whatever the language
    of the request: it is the legal form."""
    from django.utils import translation

    from motcua.documents.constants import DocumentType
    from motcua.printing.pdf import render_pdf

    with translation.override("vi"):
        context = {
            "entry": entry,
            "agency_name": agency.name,
            "original_type": str(DocumentType(entry.original_type).label),
            "statement": STATEMENT,
        }
        return render_pdf("certification/statement.html", context)


def certified_copy_pdf(scan: bytes, statement: bytes) -> bytes:
    """The scan's pages followed by the statement page, as one PDF."""
    writer = PdfWriter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.append(PdfReader(io.BytesIO(scan), strict=False))
        writer.append(PdfReader(io.BytesIO(statement)))
    writer.add_metadata({"/Title": "Bản sao chứng thực điện tử", "/Producer": "MotCua"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
