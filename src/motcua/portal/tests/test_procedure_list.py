"""GET /thu-tuc/: search, filters, browsing, pagination, empty state, query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import birth_document, publish
from .dom import Page

pytestmark = pytest.mark.django_db

URL = "/thu-tuc/"


def found(response) -> list[str]:
    return [p.code for p in response.context["page_obj"].object_list]


def test_url_names():
    assert reverse("portal:procedures") == URL


@pytest.mark.parametrize(
    "query",
    ["dang ky khai sinh", "Đăng ký khai sinh", "DANG KY KHAI SINH", "khai sinh", "1.001193"],
)
def test_finds_birth_registration_by_words_or_code(client, catalog, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert found(response) == ["1.001193"]
    body = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in body
    assert reverse("portal:procedure", args=["1.001193"]) in body
    assert response.context["page_obj"].paginator.count == 1


def test_finds_construction_permit_without_diacritics(client, catalog):
    response = client.get(URL, {"q": "cap giay phep"})
    assert found(response) == ["1.009994"]


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("linh_vuc", "G17-XD11", ["1.009994"]),
        ("linh_vuc", "G15-TP07", ["1.001193"]),
        ("cap", "province", ["1.009994"]),
        ("cap", "commune", ["1.001193"]),
        ("muc_do", "full", ["1.001193"]),
        ("muc_do", "partial", ["1.009994"]),
        ("su_kien", "sinh-con", ["1.001193"]),
        ("linh_vuc", "NO-SUCH", []),
    ],
)
def test_filters(client, catalog, param, value, expected):
    response = client.get(URL, {param: value})
    assert found(response) == expected
    assert response.context["params"].filtered


def test_agency_filter_uses_competent_agencies(client, catalog, tree):
    response = client.get(URL, {"co_quan": tree["dept2"].pk})
    assert found(response) == ["1.009994"]
    assert f'<option value="{tree["dept2"].pk}" selected>' in response.content.decode()


def test_unknown_choices_are_ignored(client, catalog):
    response = client.get(URL, {"cap": "galaxy", "muc_do": "x", "co_quan": "abc"})
    assert response.status_code == 200
    assert sorted(found(response)) == ["1.001193", "1.009994"]
    assert not response.context["params"].filtered


def test_result_shows_code_field_level_and_badges_as_text(client, catalog):
    page = Page(client.get(URL, {"q": "cap giay"}))
    (item,) = page.select("ol.result-list > li")
    text = item.text
    assert "1.009994" in text
    assert "Hoạt động xây dựng" in text
    assert "Province level" in text or "cấp tỉnh" in text.lower()
    badges = page.select(".badge")
    assert [b.classes for b in badges] == [
        {"badge", "badge-partial"},
        {"badge", "badge-specific"},
    ]
    assert all(b.text.strip() for b in badges), "badges carry text, not colour only"


def test_browse_blocks_on_first_unfiltered_page(client, catalog, tree):
    response = client.get(URL)
    body = response.content.decode()
    assert response.context["show_browse"]
    assert reverse("portal:field", args=["G15-TP07"]) in body
    assert reverse("portal:life_event", args=["sinh-con"]) in body
    assert f"?co_quan={tree['dept2'].pk}" in body
    assert "Sở Xây dựng" in body


def test_no_browse_blocks_when_searching(client, catalog):
    response = client.get(URL, {"q": "khai sinh"})
    assert not response.context["show_browse"]
    assert reverse("portal:field", args=["G15-TP07"]) not in response.content.decode()


def test_empty_state_has_a_hint_and_a_way_back(client, catalog):
    response = client.get(URL, {"q": "khong ton tai thu tuc nay"})
    assert found(response) == []
    page = Page(response)
    assert page.select(".empty")
    assert any(a.attrs.get("href") == URL for a in page.select(".empty a"))


def test_field_and_life_event_urls_redirect_to_the_filtered_list(client):
    response = client.get("/thu-tuc/linh-vuc/G15-TP07/")
    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/?linh_vuc=G15-TP07"
    response = client.get("/thu-tuc/su-kien/sinh-con/")
    assert response["Location"] == "/thu-tuc/?su_kien=sinh-con"


def test_paginates_twenty_per_page_with_aria_current(client, catalog_admin, birth_form):
    for i in range(21):
        publish(
            catalog_admin,
            birth_document(code=f"1.9{i:05d}", name=f"Thủ tục đăng ký khai sinh mẫu {i:02d}"),
            mode="local_commune",
        )
    first = client.get(URL, {"q": "khai sinh"})
    assert len(first.context["page_obj"].object_list) == 20
    assert first.context["page_obj"].paginator.count == 21
    page = Page(first)
    current = [a for a in page.select("nav.pagination a") if a.attrs.get("aria-current")]
    assert [a.attrs["aria-current"] for a in current] == ["page"]
    assert "1" in current[0].text
    next_links = [a.attrs["href"] for a in page.select("nav.pagination a[rel=next]")]
    assert next_links == ["?q=khai+sinh&trang=2"]
    second = client.get(URL, {"q": "khai sinh", "trang": 2})
    assert len(second.context["page_obj"].object_list) == 1
    assert Page(second).select("ol.result-list")[0].attrs["start"] == "21"


def test_out_of_range_page_shows_the_last_page(client, catalog):
    response = client.get(URL, {"trang": 99})
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_every_form_control_has_a_label(client, catalog):
    Page(client.get(URL)).assert_controls_labelled()


def test_list_page_query_count_does_not_grow_with_results(
    client, catalog, catalog_admin, django_assert_max_num_queries
):
    for i in range(5):
        publish(
            catalog_admin,
            birth_document(code=f"1.8{i:05d}", name=f"Thủ tục khai sinh {i}"),
            mode="local_commune",
        )
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert response.context["page_obj"].paginator.count == 7
