"""content_from_national: every real national record becomes a valid procedure content document."""

from __future__ import annotations

import copy

import pytest

from motcua.catalog.content import ProcedureContent
from motcua.catalog.national import UnmappedValue, catalog_row_summary, content_from_national
from motcua.simulators.national_portal import records


def record(code: str) -> dict:
    return records.detail_record(code)["data"]


def test_all_502_records_are_bundled():
    assert len(records.detail_codes()) == 502


@pytest.mark.parametrize("code", records.detail_codes())
def test_every_bundled_record_maps_to_valid_content(code):
    document = content_from_national(record(code))

    assert ProcedureContent.model_validate(document).as_document() == document
    assert document["code"] == code


def test_birth_registration_maps_exactly():
    document = content_from_national(record("1.001193"))

    assert document["name"] == "Thủ tục đăng ký khai sinh"
    assert (document["field_code"], document["field_name"]) == ("G15-TP07", "Hộ tịch")
    assert document["level"] == "commune"
    assert document["is_province_specific"] is False
    assert document["channels"] == ["direct", "online", "post"]
    assert document["online_level"] == "partial"
    # The portal says OTHER per channel; both cases say 1 working day, so that is the limit.
    assert {(t["channel"], t["amount"], t["unit"], t["case"]) for t in document["times"]} == {
        ("direct", 1, "working_days", ""),
        ("online", 1, "working_days", ""),
        ("post", 1, "working_days", ""),
    }
    assert {
        "number": "Thông tư số 03/2023/TT-BTP",
        "title": "Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư pháp",
        "issued_on": "2023-08-02",
        "issuer": "",
    } in document["legal_bases"]
    undated = next(b for b in document["legal_bases"] if b["number"] == "85/2019/TT-BTC")
    assert undated["issued_on"] is None
    assert document["decision_number"] == "163/QĐ-BTP"
    # 1768496400000 ms is 16/01/2026 00:00 in Hà Nội (still the 15th in UTC).
    assert document["decision_date"] == "2026-01-16"
    assert document["effective_from"] == "2026-01-16"
    assert document["decision_issuer"] == "Bộ Tư pháp"
    assert document["result_name"] == "Giấy khai sinh"
    assert document["subjects"] == "Công dân Việt Nam; Người Việt Nam định cư ở nước ngoài"
    assert document["is_lien_thong"] is False
    assert {(f["kind"], f["channel"], f["amount_vnd"]) for f in document["fees"]} == {
        ("charge", "direct", 0),
        ("charge", "online", 0),
        ("charge", "post", 0),
    }


def test_birth_registration_components_and_notes():
    document = content_from_national(record("1.001193"))
    by_code = {c["code"]: c for c in document["components"]}

    abandoned = by_code["000.00.00.G15-KQ003208"]
    assert abandoned["name"].startswith("Trường hợp trẻ em bị bỏ rơi")  # "- " stripped
    assert abandoned["requirement"] == "conditional"
    assert abandoned["condition"] == "* Giấy tờ phải nộp: Trường hợp trẻ em bị bỏ rơi"
    assert (abandoned["originals"], abandoned["copies"]) == (1, 0)
    birth_certificate = by_code["000.00.00.G15-KQ004389"]
    assert birth_certificate["requirement"] == "required"
    assert birth_certificate["condition"] == "* Giấy tờ phải nộp:"
    # A 0/0 line is a rule about the papers, not a paper: it goes to the conditions text.
    assert "000.00.00.G15-KQ004365" not in by_code
    assert "đã nộp bản điện tử Giấy chứng sinh" in document["conditions"]
    assert document["steps"].startswith("- Nếu lựa chọn hình thức nộp hồ sơ trực tiếp")


def test_cases_that_disagree_give_one_time_per_case():
    document = content_from_national(record("1.000894"))  # đăng ký kết hôn

    direct = {
        (t["case"], t["amount"], t["unit"]) for t in document["times"] if t["channel"] == "direct"
    }
    assert direct == {
        ("Thủ tục đăng ký kết hôn (1.000894.02)", 1, "working_days"),
        ("Thủ tục đăng ký kết hôn (1.000894.01)", 1, "days"),
    }


def test_half_working_days_become_working_hours():
    document = content_from_national(record("1.115312"))  # 7.5 working days on the portal

    time = next(t for t in document["times"] if t["channel"] == "direct")
    assert (time["amount"], time["unit"]) == (60, "working_hours")
    assert "7.5 ngày làm việc = 60 giờ làm việc" in time["note"]


def test_text_time_limit_is_read_when_it_states_one_figure():
    document = content_from_national(record("1.115711"))  # "Không quá 03 ngày làm việc"

    assert {(t["amount"], t["unit"]) for t in document["times"]} == {(3, "working_days")}


def test_text_time_limit_with_several_cases_is_left_to_a_person():
    document = content_from_national(record("1.115718"))  # "a) Không quá 05 … b) …"

    assert document["times"] == []
    assert "Thời hạn giải quyết theo Cổng DVC quốc gia: a) Không quá 05" in document["note"]


def test_residence_fees_differ_by_channel():
    document = content_from_national(record("1.004222"))  # đăng ký thường trú

    fees = {(f["kind"], f["channel"], f["amount_vnd"]) for f in document["fees"]}
    assert fees == {("fee", "direct", 20000), ("fee", "online", 10000)}


def test_foreign_currency_fee_is_not_an_amount_in_dong():
    document = content_from_national(record("1.001020"))  # at a diplomatic mission

    fee = document["fees"][0]
    assert fee["amount_vnd"] is None
    assert fee["unit"] == "USD"
    assert fee["note"].startswith("Mức thu: 5 USD")


def test_lien_thong_procedure_is_flagged():
    document = content_from_national(record("2.000986"))

    assert document["is_lien_thong"] is True


def test_province_specific_record():
    document = content_from_national(record("1.115711"))

    assert document["is_province_specific"] is True
    assert document["level"] == "province"
    assert document["online_level"] == "full"


@pytest.mark.parametrize(
    ("ward", "province", "level"),
    [
        (True, True, "commune_province"),
        (True, False, "commune"),
        (False, True, "province"),
        (False, False, "central"),
    ],
)
def test_level_follows_ward_and_province_flags(ward, province, level):
    data = copy.deepcopy(record("1.001193"))
    data.update(isWard=ward, isProvince=province)

    assert content_from_national(data)["level"] == level


def test_long_names_are_cut_to_the_field_size():
    data = record("1.115369")
    assert len(data["name"]) > 1000

    name = content_from_national(data)["name"]
    assert len(name) == 1000
    assert name.endswith("…")


def test_unknown_submission_method_is_refused():
    data = copy.deepcopy(record("1.001193"))
    data["executionMethods"][0]["submissionMethod"] = "FAX"

    with pytest.raises(UnmappedValue, match="FAX"):
        content_from_national(data)


def test_accepts_the_whole_response_envelope():
    assert content_from_national(records.detail_record("1.001193"))["code"] == "1.001193"


def test_catalog_row_summary():
    row = next(r for r in records.catalog_rows() if r["code"] == "1.001193")

    assert catalog_row_summary(row) == {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field_names": ["Hộ tịch"],
        "departments": row["departments"],
        "published_by": row["departmentPromulgate"],
        "type": "STANDARD",
        "is_province_specific": False,
        "formality_id": "019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7",
    }
