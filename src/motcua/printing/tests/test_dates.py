from datetime import UTC, date, datetime

import pytest

from motcua.printing import dates


def test_writes_time_and_date_in_vietnam_time():
    moment = datetime(2026, 2, 13, 3, 5, tzinfo=UTC)
    assert dates.vn_datetime(moment) == "10 giờ 05 phút, ngày 13 tháng 02 năm 2026"


def test_date_after_place_uses_local_day():
    # 20:30 UTC on 12/02 is already 13/02 in Vietnam.
    moment = datetime(2026, 2, 12, 20, 30, tzinfo=UTC)
    assert dates.vn_place_date(moment, "Đồng Tháp") == "Đồng Tháp, ngày 13 tháng 02 năm 2026"


def test_leading_zero_only_for_small_days_and_january_february():
    # Decree 30/2020/NĐ-CP Annex I §II.5.
    assert dates.vn_date(date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert dates.vn_date(date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert dates.vn_date(date(2026, 12, 25)) == "ngày 25 tháng 12 năm 2026"


def test_missing_values_print_dotted_blanks():
    assert dates.vn_datetime(None) == "… giờ … phút, ngày … tháng … năm …"
    assert dates.vn_short_date(None) == ""


def test_short_forms_for_table_cells():
    moment = datetime(2026, 2, 13, 3, 5, tzinfo=UTC)
    assert dates.vn_short_date(moment) == "13/02/2026"
    assert dates.vn_short_time(moment) == "10:05"


def test_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        dates.vn_datetime(datetime(2026, 2, 13, 10, 5))
