"""Each form renders with its title, code, applicant, Vietnamese dates and key fields."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.core.errors import InvalidInput
from motcua.printing import examples
from motcua.printing.forms import FormNotAvailable, form_pdf

from .helpers import flat, font_names, links

BEFORE_2025 = datetime(2025, 6, 20, 2, 0, tzinfo=UTC)  # 09:00 on 20/6/2025 in Vietnam


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Every form rendered once for the module (WeasyPrint takes ~0.3 s a form)."""
    rendered = {key: form_pdf(key, build()) for key, build in examples.EXAMPLES.items()}
    rendered["apology_2018"] = form_pdf("apology", examples.apology(received_at=BEFORE_2025))
    rendered["receipt_2018"] = form_pdf("receipt", examples.receipt(received_at=BEFORE_2025))
    return rendered


@pytest.fixture(scope="module")
def texts(pdfs) -> dict[str, str]:
    return {key: flat(data) for key, data in pdfs.items()}


HEADER = [
    "UBND TỈNH ĐỒNG THÁP",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]
DOSSIER_FORMS = ["receipt", "supplement", "refusal", "apology", "stop", "control_sheet"]


@pytest.mark.parametrize("key", [*DOSSIER_FORMS, "ledger"])
def test_every_form_has_the_official_header(texts, key):
    for line in HEADER:
        assert line in texts[key]


@pytest.mark.parametrize("key", DOSSIER_FORMS)
def test_every_dossier_form_names_the_dossier_and_applicant(texts, key):
    text = texts[key]
    assert "Mã hồ sơ: 000.00.12.H19-260213-0001" in text
    assert "Nguyễn Thị Hồng Nhung" in text
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in text
    assert "Quét mã để tra cứu hồ sơ" in text


TT03 = "Thông tư 03/2025/TT-VPCP"
TT01 = "Thông tư 01/2018/TT-VPCP"


@pytest.mark.parametrize(
    ("key", "title", "number", "basis"),
    [
        ("receipt", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "01", TT03),
        ("supplement", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "02", TT03),
        ("refusal", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "03", TT03),
        ("apology", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "04", TT03),
        ("stop", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "05", TT03),
        ("control_sheet", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "06", TT03),
        ("ledger", "SỔ THEO DÕI HỒ SƠ", "07", TT03),
        ("apology_2018", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "04", TT01),
        ("receipt_2018", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "01", TT01),
    ],
)
def test_title_and_legal_basis_footnote(texts, key, title, number, basis):
    assert title in texts[key]
    assert f"Mẫu số {number} – {basis}" in texts[key]


def test_2018_apology_is_not_the_2025_letter(texts):
    assert "VĂN BẢN XIN LỖI" not in texts["apology_2018"]
    assert "gây phiền hà, tốn kém chi phí đi lại" in texts["apology_2018"]
    assert "Bộ phận Tiếp nhận và Trả kết quả" in texts["apology_2018"]


def test_receipt_fields(texts):
    text = texts["receipt"]
    assert "Đồng Tháp, ngày 13 tháng 02 năm 2026" in text
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in text
    assert "Địa chỉ: Số 12 đường Lê Lợi, phường Cao Lãnh, tỉnh Đồng Tháp" in text
    assert "Số điện thoại: 0912 345 678" in text
    assert "Email: nhung.nguyen@example.vn" in text
    assert "1 Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01) 01 00" in text
    assert "2 Giấy chứng nhận quyền sử dụng đất 00 01" in text
    assert "2. Số lượng hồ sơ: 01 (bộ)" in text
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 07 ngày làm việc" in text
    assert "4. Thời gian nhận hồ sơ: 10 giờ 05 phút, ngày 13 tháng 02 năm 2026" in text
    assert (
        "5. Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 24 tháng 02 năm 2026"
        in (text)
    )
    assert "6. Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 03, Số thứ tự: 127" in text
    assert "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Hồng Nhung" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Văn Đức" in text


def test_supplement_fields(texts):
    text = texts["supplement"]
    assert "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:" in text
    assert "1. Bổ sung bản vẽ mặt bằng móng có chữ ký của chủ đầu tư" in text
    assert "2. Hoàn thiện đơn đề nghị: ghi rõ diện tích xây dựng tầng một" in text
    assert "Lý do: Hồ sơ chưa đủ thành phần theo quy định tại Điều 46 Nghị định 175/2024/NĐ-CP" in (
        text
    )
    assert "liên hệ với Lê Thị Thu Hằng, số điện thoại 0277 3851 234" in text
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Lê Thị Thu Hằng" in text


def test_refusal_fields(texts):
    text = texts["refusal"]
    assert "Bộ phận Một cửa tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in text
    assert "1. Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân tỉnh" in text
    assert "2. Người nộp không cung cấp được giấy tờ chứng minh quyền sử dụng đất" in text
    assert "Xin thông báo cho Ông/Bà được biết và thực hiện./." in text
    assert "NGƯỜI TIẾP NHẬN (Ký và ghi rõ họ tên) Trần Văn Đức" in text


def test_apology_letter_fields(texts):
    text = texts["apology"]
    assert "Đồng Tháp, ngày 23 tháng 02 năm 2026" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung" in text
    assert "Ngày 13/02/2026, Bộ phận Một cửa đã tiếp nhận hồ sơ" in text
    assert "hẹn trả kết quả là 16 giờ 00 phút, ngày 24 tháng 02 năm 2026" in text
    assert "Lý do: Cần lấy ý kiến thẩm định của Sở Xây dựng về chỉ giới xây dựng" in text
    assert "Phòng Kinh tế, Hạ tầng và Đô thị trân trọng xin lỗi Ông/Bà" in text
    assert "gia hạn thời gian giải quyết hồ sơ đến 16 giờ 00 phút, ngày 03 tháng 3 năm 2026" in text
    assert "(gia hạn lần thứ 01)" in text
    assert "TRƯỞNG PHÒNG (Ký, ghi rõ họ tên và đóng dấu) Phạm Quốc Hưng" in text
    assert "Nơi nhận:" in text


def test_stop_notice_fields(texts):
    text = texts["stop"]
    assert "Theo đề nghị của Ông/Bà, Sở Xây dựng tỉnh Đồng Tháp thông báo dừng giải quyết" in text
    assert (
        "Lý do: Người nộp hồ sơ có văn bản đề nghị dừng giải quyết để điều chỉnh thiết kế" in text
    )
    assert "hẹn trả kết quả 16 giờ 00 phút, ngày 24 tháng 02 năm 2026" in text
    assert "GIÁM ĐỐC (Ký, ghi rõ họ tên và đóng dấu) Võ Thành Nhân" in text


def test_stop_notice_on_the_agency_own_grounds():
    text = flat(form_pdf("stop", examples.stop(requested_by="agency")))
    assert "Theo đề nghị của Ông/Bà" not in text
    assert "Sở Xây dựng tỉnh Đồng Tháp thông báo dừng giải quyết hồ sơ nêu trên." in text


def test_control_sheet_fields(texts):
    text = texts["control_sheet"]
    assert "Kèm theo hồ sơ của: Nguyễn Thị Hồng Nhung" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Xây dựng tỉnh Đồng Tháp" in text
    assert "Công an tỉnh Đồng Tháp; Sở Nông nghiệp và Môi trường" in text
    assert "TÊN CƠ QUAN" in text
    assert "GHI CHÚ" in text
    assert "1. Giao: Trung tâm Phục vụ hành chính công Nhận: Sở Xây dựng" in text
    assert "12 giờ 05 phút, ngày 13 tháng 02 năm 2026" in text
    assert "Người giao Người nhận Trần Văn Đức Ngô Minh Tâm" in text
    for label in ("Trước hạn", "Đúng hạn", "Quá hạn"):
        assert text.count(label) >= 2  # the column header and one row
    assert "… giờ … phút, ngày … tháng … năm …" in text  # the hand-over not made yet


def test_forms_use_only_the_bundled_font(pdfs):
    for key, data in pdfs.items():
        fonts = font_names(data)
        assert fonts, key
        # WeasyPrint names an @font-face font after its CSS family; a system fallback font
        # (DejaVu, Liberation…) would show up under its own name.
        assert all(name.startswith("MotCua-Serif") for name in fonts), (key, fonts)


@pytest.mark.parametrize("key", DOSSIER_FORMS)
def test_qr_code_links_to_the_tracking_page(pdfs, key):
    found = links(pdfs[key])
    assert {uri for uri, _ in found} == {examples.TRACKING_URL}
    x0, y0, x1, y1 = found[0][1]
    width, height = abs(x1 - x0), abs(y1 - y0)
    # The link is the QR image: a square of 26 mm (74 pt) in the left half of the page.
    assert abs(width - height) < 2
    assert 70 < width < 78
    assert max(x0, x1) < 595 / 2


def test_ledger_has_no_qr_code(pdfs):
    assert links(pdfs["ledger"]) == []


def test_missing_keys_are_reported_by_name():
    context = examples.receipt()
    del context["components"], context["sets"]
    with pytest.raises(InvalidInput) as error:
        form_pdf("receipt", context)
    assert set(error.value.errors) == {"components", "sets"}


def test_stop_notice_refused_for_a_dossier_received_before_2025():
    with pytest.raises(FormNotAvailable):
        form_pdf("stop", examples.stop(received_at=BEFORE_2025))


def test_unknown_form_key_is_refused():
    with pytest.raises(FormNotAvailable):
        form_pdf("certificate", examples.receipt())
