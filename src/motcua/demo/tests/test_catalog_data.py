"""The demo province's procedure catalog (catalog_data.json) is valid and publishable.

No database: the file is read as data and every document goes through the same pydantic model the
catalog services use, then through the completeness rules a published version must satisfy.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from motcua.catalog.constants import (
    AuthorityKind,
    CompetentMode,
    OnlineLevel,
    ReceivingMode,
    Requirement,
)
from motcua.catalog.content import ProcedureContent
from motcua.demo import data as demo_data
from motcua.printing.pdf import text_of_pdf

DEMO_DIR = Path(__file__).resolve().parents[1]
CATALOG_FILE = DEMO_DIR / "catalog_data.json"
NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


@cache
def catalog() -> dict:
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def procedures() -> list[dict]:
    return catalog()["procedures"]


def published() -> list[dict]:
    return [p for p in procedures() if p["publish"]]


def demo_agency_keys() -> set[str]:
    keys = {"root", "center"}
    for key, _code, _name, units in demo_data.DEPARTMENTS:
        keys.add(key)
        keys.update(unit_key for unit_key, _unit_code, _unit_name in units)
    keys.update(key for key, _name in demo_data.DESKS)
    for key, *_rest in demo_data.COMMUNES:
        keys.update({f"{key}_pc", f"{key}_osu", f"{key}_desk"})
        keys.update(f"{key}_{unit}" for unit, _name in demo_data.COMMUNE_UNITS)
    return keys


def template_codes() -> set[str]:
    return {t["code"] for t in catalog()["form_templates"]}


def test_file_is_small_and_has_every_section():
    assert CATALOG_FILE.stat().st_size < 1_500_000
    assert set(catalog()) >= {
        "source_note",
        "life_events",
        "form_templates",
        "procedures",
        "full_online_list",
    }
    assert catalog()["source_note"].strip()


def test_counts_required_by_the_product_owner():
    assert len(procedures()) >= 32
    assert len(published()) >= 30
    docs = [p["document"] for p in procedures()]
    assert sum(d["is_province_specific"] for d in docs) >= 2
    assert sum(d["is_lien_thong"] for d in docs) >= 2
    assert sum(d["is_province_specific"] for d in (p["document"] for p in published())) >= 2
    assert sum(d["is_lien_thong"] for d in (p["document"] for p in published())) >= 2


def test_codes_are_national_and_unique():
    codes = [p["document"]["code"] for p in procedures()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert NATIONAL_CODE.match(code), code


@pytest.mark.parametrize("entry", procedures(), ids=lambda p: p["document"]["code"])
def test_every_document_validates(entry):
    assert set(entry) == {"document", "competence", "publish"}
    assert isinstance(entry["publish"], bool)
    content = ProcedureContent.model_validate(entry["document"])
    assert content.code == entry["document"]["code"]


@pytest.mark.parametrize("entry", procedures(), ids=lambda p: p["document"]["code"])
def test_competence_uses_demo_agencies(entry):
    competence = entry["competence"]
    keys = demo_agency_keys()
    assert competence["mode"] in CompetentMode.values
    assert competence["receiving"] in ReceivingMode.values
    assert competence["authority"] in AuthorityKind.values
    if competence["mode"] == CompetentMode.AGENCY:
        assert competence["agency"] in keys
    else:
        assert competence["agency"] is None
    if competence["authority"] == AuthorityKind.COMPETENT:
        assert competence["delegated_by"] is None
    else:
        assert competence["delegated_by"] in keys
        assert competence["delegation_basis"].strip()


def test_at_least_one_authorized_procedure():
    assert any(p["competence"]["authority"] == AuthorityKind.AUTHORIZED for p in procedures())


def gate_problems(doc: dict) -> list[str]:
    """The completeness gate a published version must pass (mirrors the catalog rules)."""
    problems = []
    for key in ("steps", "result_name", "subjects", "decision_number"):
        if not (doc.get(key) or "").strip():
            problems.append(f"{key} empty")
    for key in ("decision_date", "effective_from"):
        if not doc.get(key):
            problems.append(f"{key} missing")
    channels = doc["channels"]
    if not channels:
        problems.append("no channel")
    if not doc["times"]:
        problems.append("no time")
    for channel in channels:
        if not any(t.get("channel") in (channel, None) for t in doc["times"]):
            problems.append(f"no time for channel {channel}")
    if not doc["fees"]:
        problems.append("no fee")
    for i, fee in enumerate(doc["fees"]):
        amount, online = fee.get("amount_vnd"), fee.get("online_amount_vnd")
        if amount is None:
            problems.append(f"fees.{i}.amount_vnd is null")
        elif online is not None and online > amount:
            problems.append(f"fees.{i}.online_amount_vnd above amount_vnd")
    if not doc["components"]:
        problems.append("no component")
    for i, comp in enumerate(doc["components"]):
        if comp.get("form_required") and comp.get("form_template") not in template_codes():
            problems.append(f"components.{i}.form_template unknown")
        conditional = comp.get("requirement") == Requirement.CONDITIONAL
        if conditional and not comp.get("condition", "").strip():
            problems.append(f"components.{i}.condition empty")
    if not doc["legal_bases"]:
        problems.append("no legal basis")
    level = doc.get("online_level", OnlineLevel.NONE)
    if level == OnlineLevel.FULL and not doc.get("eform"):
        problems.append("full online without eform")
    if level != OnlineLevel.NONE and "online" not in channels:
        problems.append("online level without online channel")
    if "online" in channels and level == OnlineLevel.NONE:
        problems.append("online channel without online level")
    if doc.get("is_lien_thong") and not doc.get("lien_thong_agencies", "").strip():
        problems.append("liên thông without agencies")
    return problems


@pytest.mark.parametrize("entry", published(), ids=lambda p: p["document"]["code"])
def test_published_documents_pass_the_completeness_gate(entry):
    doc = ProcedureContent.model_validate(entry["document"]).as_document()
    assert gate_problems(doc) == []


def test_unpublished_documents_explain_why():
    unpublished = [p for p in procedures() if not p["publish"]]
    for entry in unpublished:
        note = entry["document"]["note"]
        assert "publish: false" in note, entry["document"]["code"]
    # The deliberate gaps (a fee set by the provincial People's Council, not filled in) fail the
    # gate on the fee only, so the health page has something real to show.
    gaps = [p for p in unpublished if p["document"]["steps"]]
    assert 1 <= len(gaps) <= 2
    for entry in gaps:
        assert any(f["amount_vnd"] is None for f in entry["document"]["fees"])


def test_form_templates_exist_and_are_referenced():
    templates = catalog()["form_templates"]
    codes = [t["code"] for t in templates]
    assert len(codes) == len(set(codes))
    for template in templates:
        assert template["name"].strip() and template["legal_basis"].strip()
        path = DEMO_DIR / template["file"]
        assert path.is_file(), template["file"]
        text = path.read_text(encoding="utf-8")
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text.upper()
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "Bản mẫu minh họa của hệ thống MộtCửa (demo)" in text
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), template["file"]
        # What citizens download: the PDF rendered from it (manage.py demo_forms_pdf), with
        # its text.
        pdf = DEMO_DIR / "forms" / "pdf" / (path.stem + ".pdf")
        assert pdf.is_file(), pdf.name
        assert "Độc lập - Tự do - Hạnh phúc" in text_of_pdf(pdf.read_bytes()), pdf.name
    referenced = {
        c["form_template"]
        for p in procedures()
        for c in p["document"]["components"]
        if c.get("form_template")
    }
    assert referenced <= set(codes)
    for p in procedures():
        for comp in p["document"]["components"]:
            if comp.get("form_required"):
                assert comp.get("form_template") in set(codes), p["document"]["code"]


@pytest.mark.parametrize(
    "entry",
    [p for p in procedures() if p["document"]["eform"]],
    ids=lambda p: p["document"]["code"],
)
def test_eforms_are_json_schema_2020_12_with_vietnamese_titles(entry):
    schema = entry["document"]["eform"]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT_2020_12
    assert schema["type"] == "object"
    assert schema["title"].strip()
    assert 5 <= len(schema["properties"]) <= 12
    assert set(schema["required"]) <= set(schema["properties"])
    for name, prop in schema["properties"].items():
        assert prop.get("title", "").strip(), name


def test_life_events_point_at_known_procedures():
    codes = {p["document"]["code"] for p in procedures()}
    events = catalog()["life_events"]
    assert 6 <= len(events) <= 10
    assert len({e["code"] for e in events}) == len(events)
    for event in events:
        assert event["name"].strip() and event["procedures"]
        assert set(event["procedures"]) <= codes, event["code"]


def test_full_online_list_matches_the_documents():
    full = catalog()["full_online_list"]
    assert full["decision_number"].endswith("/QĐ-UBND")
    assert full["issuer"] == "Ủy ban nhân dân tỉnh Đồng Tháp"
    assert "UNCONFIRMED" in full["note"]
    by_code = {p["document"]["code"]: p for p in procedures()}
    assert len(full["procedures"]) >= 5
    for code in full["procedures"]:
        assert by_code[code]["publish"]
        assert by_code[code]["document"]["online_level"] == OnlineLevel.FULL
    expected = {
        code
        for code, p in by_code.items()
        if p["publish"] and p["document"]["online_level"] == OnlineLevel.FULL
    }
    assert set(full["procedures"]) == expected


def test_fees_are_whole_dong():
    for p in procedures():
        for fee in p["document"]["fees"]:
            for key in ("amount_vnd", "online_amount_vnd"):
                value = fee.get(key)
                assert value is None or (isinstance(value, int) and not isinstance(value, bool))
