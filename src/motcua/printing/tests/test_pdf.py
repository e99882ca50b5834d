import pytest

from motcua.printing.pdf import LocalURLFetcher, font_face_css, qr_svg, render_html


def test_qr_svg_is_inline_markup_without_external_references():
    svg = qr_svg("https://motcua.example.vn/tra-cuu/?ma=ABC")
    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "href" not in svg
    assert "viewBox" in svg


def test_qr_svg_grows_with_the_url():
    short = qr_svg("https://a.vn/1")
    long = qr_svg("https://motcua.dongthap.gov.vn/tra-cuu/?ma=" + "0" * 120)
    assert short != long
    assert short.split('viewBox="')[1] < long.split('viewBox="')[1] or len(long) > len(short)


def test_fonts_are_referenced_by_file_url_inside_the_package():
    css = font_face_css()
    assert css.count("@font-face") == 4
    assert "file://" in css
    assert "http" not in css


@pytest.mark.parametrize(
    "url", ["https://fonts.example.com/font.ttf", "http://127.0.0.1/x.png", "file:///etc/passwd"]
)
def test_fetcher_refuses_network_and_files_outside_the_package(url):
    with pytest.raises(ValueError):
        LocalURLFetcher().fetch(url)


def test_hyphenation_is_off_and_language_is_vietnamese():
    from motcua.printing import examples
    from motcua.printing.forms import QR_CAPTION, form_for

    context = {**examples.receipt(), "form": form_for("receipt", examples.RECEIVED_AT)}
    html = render_html("printing/receipt.html", {**context, "qr": "", "qr_caption": QR_CAPTION})
    assert '<html lang="vi">' in html
    assert "hyphens: none" in html
