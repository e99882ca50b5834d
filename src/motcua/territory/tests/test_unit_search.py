import pytest

from motcua.core.errors import NotFound
from motcua.territory.selectors import commune_get, province_get, unit_search

pytestmark = pytest.mark.django_db


def test_province_found_without_diacritics():
    results = unit_search("dong thap")
    assert results[0].level == "province"
    assert results[0].code == 82
    assert results[0].name == "Tỉnh Đồng Tháp"


def test_ward_found_without_diacritics():
    results = unit_search("phuong my tho")
    assert results[0].name == "Phường Mỹ Tho"
    assert results[0].province_code == 82


def test_diacritics_and_case_do_not_matter():
    assert unit_search("PHƯỜNG MỸ THO")[0].code == unit_search("phuong my tho")[0].code


def test_exact_names_rank_first_and_typed_diacritics_break_ties():
    # Đồng Tháp has both "Phường Mỹ Tho" and "Xã Mỹ Thọ"; both fold to "my tho".
    names = [m.name for m in unit_search("my tho", province_code=82)]
    assert set(names[:2]) == {"Phường Mỹ Tho", "Xã Mỹ Thọ"}
    assert unit_search("Mỹ Tho", province_code=82)[0].name == "Phường Mỹ Tho"
    assert unit_search("Mỹ Thọ", province_code=82)[0].name == "Xã Mỹ Thọ"
    # A longer name that merely contains the words comes after the exact ones.
    assert all("Mỹ Th" in n for n in names[:2])


def test_every_word_must_match():
    assert unit_search("phuong my tho hanoi") == []


def test_lookup_by_code():
    assert unit_search("28261")[0].name == "Phường Mỹ Tho"
    assert province_get(82).name == "Đồng Tháp"
    assert commune_get(28261).province_id == 82


def test_unknown_codes_are_not_found():
    with pytest.raises(NotFound):
        province_get(99)
    with pytest.raises(NotFound):
        commune_get(1)


def test_search_api_is_public(client):
    response = client.get("/api/v1/territory/search", {"q": "dong thap"})
    assert response.status_code == 200
    assert response.json()[0]["name"] == "Tỉnh Đồng Tháp"
    communes = client.get("/api/v1/territory/provinces/82/communes").json()
    assert len(communes) == 102
    assert client.get("/api/v1/territory/provinces/99").status_code == 404
