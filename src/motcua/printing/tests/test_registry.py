from datetime import UTC, date, datetime

import pytest

from motcua.printing.forms import FORM_KEYS, FORMS, FormNotAvailable, basis_for, form_for


def test_2025_set_has_all_seven_forms_numbered_01_to_07():
    specs = [form_for(key, date(2025, 7, 1)) for key in FORM_KEYS]
    assert [s.number for s in specs] == ["01", "02", "03", "04", "05", "06", "07"]
    assert {s.basis.name for s in specs} == {"Thông tư 03/2025/TT-VPCP"}


def test_2018_set_is_chosen_before_1_july_2025_and_renumbers():
    spec = form_for("control_sheet", date(2025, 6, 30))
    assert spec.basis.name == "Thông tư 01/2018/TT-VPCP"
    assert spec.number == "05"
    assert form_for("control_sheet", date(2025, 7, 1)).number == "06"


def test_apology_title_depends_on_legal_basis():
    assert form_for("apology", date(2025, 6, 30)).title == (
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    )
    assert form_for("apology", date(2025, 7, 1)).title == (
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    )


def test_stop_notice_does_not_exist_in_the_2018_set():
    with pytest.raises(FormNotAvailable):
        form_for("stop", date(2025, 6, 30))
    assert form_for("stop", date(2025, 7, 1)).title == "Thông báo dừng giải quyết hồ sơ"


def test_reception_day_is_taken_in_vietnam_time():
    # 17:30 UTC on 30/6/2025 is 00:30 on 1/7/2025 in Vietnam: the 2025 set.
    assert basis_for(datetime(2025, 6, 30, 17, 30, tzinfo=UTC)).slug == "tt03-2025"
    assert basis_for(datetime(2025, 6, 30, 16, 30, tzinfo=UTC)).slug == "tt01-2018"


def test_registry_is_keyed_by_legal_basis_and_name_not_number():
    assert FORMS["tt03-2025.ledger"].footnote == "Mẫu số 07 – Thông tư 03/2025/TT-VPCP"
    assert FORMS["tt01-2018.ledger"].footnote == "Mẫu số 06 – Thông tư 01/2018/TT-VPCP"
    assert len(FORMS) == 13
    assert all(spec.id == key for key, spec in FORMS.items())
