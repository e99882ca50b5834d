"""Search: words without diacritics, codes, filters; ranked."""

from __future__ import annotations

import pytest

from motcua.catalog.constants import CompetentMode
from motcua.catalog.selectors import procedure_search
from motcua.catalog.services import (
    competence_rule_set,
    version_approve,
    version_publish,
    version_save,
)

from .documents import document

pytestmark = pytest.mark.django_db

NAMES = {
    "1.013225": ("Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV", "G17-XD11"),
    "1.013229": ("Cấp giấy phép xây dựng sửa chữa, cải tạo công trình", "G17-XD11"),
    "1.009141": ("Cấp số nhà", "G17-XD11"),
    "2.000815": ("Chứng thực bản sao từ bản chính", "G15-TP09"),
    "1.004222": ("Đăng ký thường trú", "G01-CA05"),
    "1.001193": ("Thủ tục đăng ký khai sinh", "G15-TP07"),
    "2.000986": ("Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT", "G15-TP07"),
    "1.000656": ("Thủ tục đăng ký khai tử", "G15-TP07"),
}


@pytest.fixture
def catalog(catalog_admin, birth_form, tree):
    for code, (name, field) in NAMES.items():
        version = version_save(
            actor=catalog_admin,
            content=document(code=code, name=name, field_code=field, field_name=field),
        )
        agency = tree["dept2"] if field == "G17-XD11" else None
        competence_rule_set(
            actor=catalog_admin,
            procedure=version.procedure,
            mode=CompetentMode.AGENCY if agency else CompetentMode.LOCAL_COMMUNE,
            agency=agency,
        )
        version_approve(actor=catalog_admin, version=version)
        version_publish(actor=catalog_admin, version=version)


def codes(**kwargs) -> list[str]:
    return list(procedure_search(**kwargs).values_list("code", flat=True))


def test_words_without_diacritics_find_the_procedure(catalog):
    # Both names start with the phrase; at equal rank the shorter name comes first.
    assert codes(query="cap giay phep xay dung") == ["1.013229", "1.013225"]
    assert codes(query="CẤP GIẤY PHÉP XÂY DỰNG") == ["1.013229", "1.013225"]


def test_word_order_does_not_matter_but_every_word_must_match(catalog):
    assert codes(query="xay dung giay phep sua chua") == ["1.013229"]
    assert codes(query="giay phep lai xe") == []


def test_d_with_stroke_folds_to_d(catalog):
    assert codes(query="dang ky thuong tru") == ["1.004222", "2.000986"]


def test_phrase_and_name_start_rank_first(catalog):
    # "đăng ký khai sinh" starts the birth procedure's name (after "Thủ tục"); in the
    # liên thông procedure it comes later.
    assert codes(query="dang ky khai sinh") == ["1.001193", "2.000986"]
    assert codes(query="khai sinh dang ky")[-1] == "2.000986"


def test_code_and_code_prefix(catalog):
    assert codes(query="1.001193") == ["1.001193"]
    assert codes(query="2.000") == ["2.000815", "2.000986"]


def test_exact_name_outranks_longer_names(catalog):
    assert codes(query="cap so nha") == ["1.009141"]
    assert codes(query="cap")[:1] == ["1.009141"]


def test_filters(catalog, tree):
    assert set(codes(field_code="G17-XD11")) == {"1.009141", "1.013225", "1.013229"}
    assert set(codes(agency=tree["dept2"])) == {"1.009141", "1.013225", "1.013229"}
    # A commune's People's Committee settles the "applicant's commune" procedures.
    assert "1.001193" in codes(agency=tree["commune"])
    assert "1.013225" not in codes(agency=tree["commune"])
    assert codes(query="khai", level="province") == []


def test_unpublished_procedures_are_not_found_by_citizens(catalog_admin, birth_form, catalog):
    version_save(actor=catalog_admin, content=document(code="1.000894", name="Đăng ký kết hôn"))
    assert codes(query="ket hon") == []
    assert codes(query="ket hon", published_only=False) == ["1.000894"]


def test_search_costs_one_query(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(procedure_search(query="dang ky", field_code="G15-TP07"))


def test_localized_code_is_found_as_typed_or_in_lower_case(catalog_admin, birth_form, catalog):
    from motcua.catalog.constants import CompetentMode as Mode

    version = version_save(
        actor=catalog_admin,
        content=document(code="1.001193.H20", name="Đăng ký khai sinh (Đồng Tháp)"),
    )
    competence_rule_set(actor=catalog_admin, procedure=version.procedure, mode=Mode.LOCAL_COMMUNE)
    version_approve(actor=catalog_admin, version=version)
    version_publish(actor=catalog_admin, version=version)
    assert codes(query="1.001193.H20") == ["1.001193.H20"]
    assert codes(query="1.001193.h20") == ["1.001193.H20"]
    assert codes(query="1.001193") == ["1.001193", "1.001193.H20"]


def test_commune_filter_follows_that_communes_own_rules(catalog_admin, catalog, tree):
    from motcua.catalog.models import Procedure
    from motcua.catalog.selectors import competent_agency_list

    birth = Procedure.objects.get(code="1.001193")
    # The second commune's births are settled by the department instead.
    competence_rule_set(
        actor=catalog_admin,
        procedure=birth,
        commune=tree["commune2"].commune,
        mode=CompetentMode.AGENCY,
        agency=tree["dept"],
    )
    assert "1.001193" in codes(agency=tree["commune"])
    assert "1.001193" not in codes(agency=tree["commune2"])
    assert "1.001193" in codes(agency=tree["dept"])
    # Communes settle the "applicant's commune" procedures, so they are offered for browsing.
    agencies = set(competent_agency_list())
    assert {tree["commune"], tree["commune2"], tree["dept"], tree["dept2"]} <= agencies
    assert tree["desk"] not in agencies
