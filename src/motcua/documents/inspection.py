"""Checks of every paper by its content, never by its name (issue 15 "Files"): the one place
the rule lives, for desk uploads, the API and the national portal's intake alike.

`inspect(content, name=…)` answers what the file is (type, size, SHA-256, pages) or raises
`FileRefused` (an InvalidInput with a `reason` and a message naming the file) before anything
is stored. In order, cheapest first:

1. size: within the limit of its type (settings.DOCUMENTS_MAX_BYTES) and of the component
   (DOCUMENTS_COMPONENT_MAX_BYTES, or narrower: `max_bytes`);
2. type by the first bytes: PDF, JPEG, PNG, or a ZIP container that has the structure of a
   DOCX, XLSX, ODT or ODS (macro-enabled ones refused unless DOCUMENTS_ALLOW_MACROS);
3. well-formed and not a bomb: a PDF pypdf reads, not encrypted, with at most
   DOCUMENTS_MAX_PAGES pages and DOCUMENTS_PDF_MAX_OBJECTS objects; an image Pillow decodes whole
   within DOCUMENTS_IMAGE_MAX_PIXELS pixels; a ZIP whose every entry decompresses with a right
   CRC, within DOCUMENTS_ZIP_MAX_UNCOMPRESSED bytes in all and DOCUMENTS_ZIP_MAX_RATIO times its
   size;
4. the antivirus daemon (ANTIVIRUS_CLAMD), when one is configured.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import InvalidInput
from motcua.core.uploads import megabytes

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCM = "application/vnd.ms-word.document.macroEnabled.12"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

# Short names (settings, messages) and the family whose size limit applies.
SHORT = {PDF: "pdf", JPEG: "jpeg", PNG: "png", DOCX: "docx", XLSX: "xlsx", DOCM: "docm"}
SHORT |= {XLSM: "xlsm", ODT: "odt", ODS: "ods"}
FAMILY = {PDF: "pdf", JPEG: "image", PNG: "image"}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}
EXTENSIONS |= {DOCM: ".docm", XLSM: ".xlsm", ODT: ".odt", ODS: ".ods"}
MACRO_TYPES = {DOCM, XLSM}
# What the national portal hands over (DOMAIN-integration.md §9.2): scans and photos.
SCAN_TYPES = frozenset({PDF, JPEG, PNG})

REASONS = {
    "empty",
    "too_large",
    "file_type",
    "macros",
    "malformed",
    "encrypted",
    "too_many_pages",
    "bomb",
    "infected",
    "antivirus_unavailable",
}


class FileRefused(InvalidInput):
    """A paper not taken: `reason` (REASONS) says why, the message says it for people."""

    def __init__(self, reason: str, message: str, *, field: str = "file") -> None:
        assert reason in REASONS, reason
        super().__init__(message, errors={field: [message]}, code=f"file_{reason}")
        self.reason = reason
        # Retry later (the antivirus daemon did not answer), not a property of the file.
        self.retryable = reason == "antivirus_unavailable"


@dataclass(frozen=True)
class Inspected:
    """A paper that passed every check, ready to be stored."""

    name: str
    content_type: str
    size: int
    sha256: str
    pages: int | None = None
    content: bytes = field(default=b"", repr=False)


def allowed_types() -> frozenset[str]:
    """The types taken at the desk and in the API: PDF, JPEG, PNG and the office types the
    settings list (macro-enabled ones only when allowed)."""
    office = {"docx": DOCX, "xlsx": XLSX, "odt": ODT, "ods": ODS}
    types = set(SCAN_TYPES) | {office[t] for t in settings.DOCUMENTS_OFFICE_TYPES}
    if settings.DOCUMENTS_ALLOW_MACROS:
        types |= {DOCM} if DOCX in types else set()
        types |= {XLSM} if XLSX in types else set()
    return frozenset(types)


def type_limit(content_type: str) -> int:
    return settings.DOCUMENTS_MAX_BYTES[FAMILY.get(content_type, "office")]


def _names(types: frozenset[str]) -> str:
    order = [PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS, DOCM, XLSM]
    return ", ".join(SHORT[t].upper() for t in order if t in types)


def inspect(
    content: bytes,
    *,
    name: str,
    max_bytes: int | None = None,
    types: frozenset[str] | None = None,
    field: str = "file",
    scan: bool = True,
) -> Inspected:
    """What `content` is, or FileRefused. `max_bytes` narrows the size limit (a component's),
    `types` the types taken (default `allowed_types()`)."""
    name = (name or "").strip()[:255] or "tep"
    types = types if types is not None else allowed_types()

    def refuse(reason: str, message: str) -> FileRefused:
        return FileRefused(reason, message, field=field)

    limit = min(settings.DOCUMENTS_COMPONENT_MAX_BYTES, max_bytes or settings.UPLOAD_MAX_BYTES)
    limit = min(limit, max(settings.DOCUMENTS_MAX_BYTES.values()))
    if not content:
        raise refuse("empty", _("File %(name)s is empty.") % {"name": name})
    if len(content) > limit:
        raise refuse("too_large", _too_large(name, limit))
    content_type = sniff(content)
    if content_type is None:
        raise refuse(
            "file_type",
            _(
                "File %(name)s is not of a type taken here (its content is checked, not its name): "
                "only %(types)s."
            )
            % {"name": name, "types": _names(types)},
        )
    if content_type in MACRO_TYPES and content_type not in types:
        raise refuse(
            "macros",
            _(
                "File %(name)s contains macros, which are not taken: save it without macros "
                "(.docx, .xlsx) or as PDF."
            )
            % {"name": name},
        )
    if content_type not in types:
        raise refuse(
            "file_type",
            _("File %(name)s is a %(kind)s file; only %(types)s are taken here.")
            % {"name": name, "kind": SHORT[content_type].upper(), "types": _names(types)},
        )
    if len(content) > type_limit(content_type):
        raise refuse("too_large", _too_large(name, min(limit, type_limit(content_type))))
    pages = None
    if content_type == PDF:
        pages = _check_pdf(content, name, refuse)
    elif content_type in (JPEG, PNG):
        _check_image(content, name, content_type, refuse)
    else:
        _check_zip(content, name, refuse)
    if scan and settings.ANTIVIRUS_CLAMD:
        _scan(content, name, refuse)
    return Inspected(
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        content=content,
    )


def _too_large(name: str, limit: int) -> str:
    return _("File %(name)s is too large: at most %(limit)s.") % {
        "name": name,
        "limit": megabytes(limit),
    }


def sniff(content: bytes) -> str | None:
    """The type of `content` by its first bytes (and, for a ZIP, its entries); None when it is
    none of the types this module knows."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return None


def _zip_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if mimetype in (ODT, ODS) and "content.xml" in names:
                    return mimetype
                return None
            if "[Content_Types].xml" not in names:
                return None
            types_xml = archive.read("[Content_Types].xml")[:200_000]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        return None
    except Exception:  # a corrupt directory can fail in many ways: not a type we know
        return None
    if "word/document.xml" in names:
        return DOCM if b"macroEnabled" in types_xml or "word/vbaProject.bin" in names else DOCX
    if "xl/workbook.xml" in names:
        return XLSM if b"macroEnabled" in types_xml or "xl/vbaProject.bin" in names else XLSX
    return None


def _malformed(name: str, kind: str) -> str:
    return _("File %(name)s is damaged: it cannot be read as a %(kind)s file.") % {
        "name": name,
        "kind": kind,
    }


def _bomb(name: str) -> str:
    return _(
        "File %(name)s would take far more space or work to open than its size suggests "
        "(a decompression bomb) and is refused."
    ) % {"name": name}


def _check_pdf(content: bytes, name: str, refuse) -> int:
    from pypdf import PdfReader

    # Cheap counts before parsing: a file of absurdly many objects or streams is refused
    # before pypdf builds them.
    if content.count(b"endobj") > settings.DOCUMENTS_PDF_MAX_OBJECTS:
        raise refuse("bomb", _bomb(name))
    if content.count(b"endstream") > settings.DOCUMENTS_PDF_MAX_OBJECTS:
        raise refuse("bomb", _bomb(name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content), strict=False)
            if reader.is_encrypted:
                raise refuse(
                    "encrypted",
                    _(
                        "File %(name)s is protected by a password (encrypted PDF): send it "
                        "without the password protection."
                    )
                    % {"name": name},
                )
            size = reader.trailer.get("/Size", 0)
            if isinstance(size, int) and size > settings.DOCUMENTS_PDF_MAX_OBJECTS:
                raise refuse("bomb", _bomb(name))
            pages = len(reader.pages)
    except FileRefused:
        raise
    except RecursionError:
        raise refuse("malformed", _malformed(name, "PDF")) from None
    except Exception:  # pypdf raises many kinds on broken files: every one means "damaged"
        raise refuse("malformed", _malformed(name, "PDF")) from None
    if pages < 1:
        raise refuse("malformed", _malformed(name, "PDF"))
    if pages > settings.DOCUMENTS_MAX_PAGES:
        raise refuse(
            "too_many_pages",
            _("File %(name)s has %(pages)s pages; at most %(max)s are taken.")
            % {"name": name, "pages": pages, "max": settings.DOCUMENTS_MAX_PAGES},
        )
    return pages


def _check_image(content: bytes, name: str, content_type: str, refuse) -> None:
    from PIL import Image

    kind = SHORT[content_type].upper()
    limit = settings.DOCUMENTS_IMAGE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns past MAX_IMAGE_PIXELS; ours is the setting.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if width * height > limit:
                    raise refuse("bomb", _bomb(name))
                if image.format != kind:
                    raise refuse("malformed", _malformed(name, kind))
                image.verify()
            # verify() checks the chunks; decoding finds truncated or corrupt image data.
            with Image.open(io.BytesIO(content)) as image:
                image.load()
    except FileRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("bomb", _bomb(name)) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… on broken images
        raise refuse("malformed", _malformed(name, kind)) from None


def _check_zip(content: bytes, name: str, refuse) -> None:
    kind = _("office")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > settings.DOCUMENTS_ZIP_MAX_ENTRIES:
                raise refuse("bomb", _bomb(name))
            declared = sum(e.file_size for e in entries)
            if (
                declared > settings.DOCUMENTS_ZIP_MAX_UNCOMPRESSED
                or declared > settings.DOCUMENTS_ZIP_MAX_RATIO * max(len(content), 1)
            ):
                raise refuse("bomb", _bomb(name))
            # Decompress every entry (the declared sizes may lie: count what comes out) and
            # check its CRC, which zipfile does when an entry is read to its end.
            total = 0
            for entry in entries:
                with archive.open(entry) as stream:
                    while chunk := stream.read(1024 * 1024):
                        total += len(chunk)
                        if total > settings.DOCUMENTS_ZIP_MAX_UNCOMPRESSED:
                            raise refuse("bomb", _bomb(name))
    except FileRefused:
        raise
    except Exception:  # BadZipFile (bad CRC), zlib.error, EOFError, NotImplementedError…
        raise refuse("malformed", _malformed(name, kind)) from None


def _scan(content: bytes, name: str, refuse) -> None:
    from motcua.adapters.antivirus import AntivirusError, scan

    try:
        result = scan(content)
    except AntivirusError as exc:
        if exc.permanent:
            raise refuse(
                "too_large",
                _("File %(name)s is larger than the antivirus scanner takes.") % {"name": name},
            ) from None
        raise refuse(
            "antivirus_unavailable",
            _("File %(name)s could not be checked for viruses now: try again in a few minutes.")
            % {"name": name},
        ) from None
    if not result.clean:
        raise refuse(
            "infected",
            _("File %(name)s contains a virus (%(signature)s) and is refused.")
            % {"name": name, "signature": result.signature},
        )
