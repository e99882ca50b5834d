"""Rebuild the demo catalog's form templates as PDF (demo/forms/pdf/<name>.pdf) from their HTML
sources (demo/forms/<name>.html), with the bundled font: the catalog offers citizens a file to
print, the file type procedures' forms are published in, not a web page. Run after editing a
form's HTML; the PDFs are committed so `make demo` and the tests need no rendering."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from motcua.demo.catalog import FORMS_DIR, PDF_DIR
from motcua.printing.pdf import FONT_FAMILY, LocalURLFetcher, font_face_css


class Command(BaseCommand):
    help = "Render the demo form templates (demo/forms/*.html) to demo/forms/pdf/*.pdf."

    def handle(self, *args, **options) -> None:
        PDF_DIR.mkdir(exist_ok=True)
        fetcher = LocalURLFetcher()
        for source in sorted(FORMS_DIR.glob("*.html")):
            fonts = FontConfiguration()
            css = CSS(
                string=font_face_css()
                + f' body, .sheet, * {{ font-family: "{FONT_FAMILY}" !important; }}'
                + " .sheet { width: auto; min-height: 0; padding: 0; }",
                font_config=fonts,
                url_fetcher=fetcher,
            )
            pdf = HTML(string=source.read_text(encoding="utf-8"), url_fetcher=fetcher).write_pdf(
                stylesheets=[css], font_config=fonts
            )
            target = PDF_DIR / (source.stem + ".pdf")
            target.write_bytes(pdf)
            self.stdout.write(f"{target.name}: {len(pdf):,} bytes")
