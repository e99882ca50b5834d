"""Papers good and bad, made in memory for the tests: each kind of file the checks must take
or refuse."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from motcua.simulators.antivirus import EICAR
from motcua.simulators.national_portal.intake import minimal_pdf

__all__ = ["EICAR", "minimal_pdf"]


def pdf(pages: int = 1, note: str = "") -> bytes:
    return minimal_pdf(pages, note)


def image(fmt: str = "PNG", size: tuple[int, int] = (40, 30), color: str = "white") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes declaring 10 billion pixels."""
    header = struct.pack("!IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def broken_png() -> bytes:
    good = image("PNG", (64, 64), "red")
    # Keep the signature and header, cut the image data short.
    return good[: len(good) // 2]


CONTENT_TYPES_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="%s"/>'
    b"</Types>"
)


def office(kind: str = "docx", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal DOCX, XLSX, DOCM, XLSM, ODT or ODS: a ZIP with the structure of its type."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind in ("odt", "ods"):
            mime = {"odt": "text", "ods": "spreadsheet"}[kind]
            archive.writestr(
                zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{mime}"
            )
            archive.writestr("content.xml", b"<office:document-content/>")
            archive.writestr("META-INF/manifest.xml", b"<manifest/>")
        else:
            main = {
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml."
                "document.main+xml",
                "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
                "main+xml",
                "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            }[kind]
            archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML % main.encode())
            part = "word/document.xml" if kind in ("docx", "docm") else "xl/workbook.xml"
            archive.writestr(part, b"<document/>")
            if kind in ("docm", "xlsm"):
                archive.writestr(part.split("/")[0] + "/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A DOCX whose one extra part inflates 80 MB of zeros from a few dozen kilobytes."""
    return office("docx", {"word/media/bomb.bin": b"\0" * (80 * 1024 * 1024)})


def corrupt_zip() -> bytes:
    """A DOCX with one byte of its compressed data changed: its CRC no longer matches."""
    data = bytearray(
        office("docx", {"word/styles.xml": b"<styles>" + b"abc" * 2000 + b"</styles>"})
    )
    offset = data.find(b"word/styles.xml") + len("word/styles.xml") + 10
    data[offset] ^= 0xFF
    return bytes(data)
