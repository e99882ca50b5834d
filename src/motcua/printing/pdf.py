"""PDF rendering with WeasyPrint, a bundled font, inline QR codes and text extraction.

The font is bundled (fonts/, Tinos: metric-compatible with Times New Roman, full Vietnamese
coverage, SIL OFL 1.1) so a form prints the same on every machine, whatever fonts it has. The URL
fetcher serves files from this package only: rendering never touches the network.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse


class _DropSubsetterNotice(logging.Filter):
    """Drops WeasyPrint's notice that it subsets fonts with fontTools (no HarfBuzz-Subset).

    The notice is logged for every font of every PDF; fontTools subsetting is correct here, and
    the system library is not something the application can install.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


# fontTools logs every step of font subsetting at INFO, WeasyPrint every rendering step: dozens
# of lines per PDF in the request log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("weasyprint").addFilter(_DropSubsetterNotice())

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
FONT_FAMILY = "MotCua Serif"

_FONT_FILES = {
    ("normal", 400): "Tinos-Regular.ttf",
    ("normal", 700): "Tinos-Bold.ttf",
    ("italic", 400): "Tinos-Italic.ttf",
    ("italic", 700): "Tinos-BoldItalic.ttf",
}


def font_face_css() -> str:
    """@font-face rules for the bundled font, as file:// URLs."""
    rules = []
    for (style, weight), file_name in _FONT_FILES.items():
        url = (FONTS_DIR / file_name).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: {style}; '
            f'font-weight: {weight}; src: url("{url}") format("truetype"); }}'
        )
    return "\n".join(rules)


class LocalURLFetcher(URLFetcher):
    """Fetches file:// URLs under this package and data: URLs; refuses everything else.

    Forms are rendered inside requests and tasks: a stray http:// URL in a template must not make
    the server wait on the network, and a file:// URL must not read files outside the package.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith("file:"):
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if not path.is_relative_to(PACKAGE_DIR):
                raise ValueError(f"outside the printing package: {url}")
        return super().fetch(url, headers)


def render_html(template_name: str, context: dict) -> str:
    """The HTML of a form, before it becomes a PDF (useful to debug a layout)."""
    return render_to_string(template_name, context)


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render a Django template to PDF bytes with the bundled font and no network access."""
    html = render_html(template_name, context)
    font_config = FontConfiguration()
    fetcher = LocalURLFetcher()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(
        string=html, base_url=base_url or PACKAGE_DIR.as_uri() + "/", url_fetcher=fetcher
    )
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG markup (no external file), sized by CSS."""
    qr = segno.make(url, error="m", micro=False)
    # omitsize leaves only a viewBox, so the template's CSS sets the printed size; the default
    # 4-module quiet zone keeps phone cameras reading it next to printed text.
    return qr.svg_inline(scale=1, omitsize=True, svgclass="qr", lineclass="qr-dark")


def text_of_pdf(data: bytes) -> str:
    """The text of every page of a PDF (pypdf), pages separated by form feeds, NFC-normalised."""
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    return unicodedata.normalize("NFC", "\f".join(pages))
