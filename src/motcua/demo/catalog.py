"""The demo province's procedure catalog, built through the catalog services.

`catalog_data.json` holds 41 real procedures (32 complete and published, 9 left as drafts
because the national records lack required parts — they show on the catalog health page), the
form templates in `forms/`, life events and the full-online list; its `source_note` and each
document's `note` say where every value comes from and which are demo values.
"""

from __future__ import annotations

import json
from pathlib import Path

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import (
    competence_rule_set,
    form_template_save,
    full_online_list_create,
    life_event_save,
    public_service_declare,
    version_approve,
    version_publish,
    version_save,
)
from motcua.organizations.models import Agency

from . import data

HERE = Path(__file__).resolve().parent
FORMS_DIR = HERE / "forms"
# The forms as citizens download them: PDF rendered from the HTML sources by
# `manage.py demo_forms_pdf`, named after the form's title.
PDF_DIR = FORMS_DIR / "pdf"


def catalog_data() -> dict:
    return json.loads((HERE / "catalog_data.json").read_text(encoding="utf-8"))


def _agency_codes() -> dict[str, str]:
    codes = {"root": data.ROOT["code"], "center": data.CENTER["code"]}
    for key, code, _name, units in data.DEPARTMENTS:
        codes[key] = code
        for unit_key, unit_code, _unit_name in units:
            codes[unit_key] = unit_code
    return codes


def catalog_build(admin: User) -> None:
    """Load the demo catalog once (a database with any procedure version is left alone)."""
    if ProcedureVersion.objects.exists():
        return
    source = catalog_data()
    codes = _agency_codes()

    def agency(key: str | None) -> Agency | None:
        return Agency.objects.get(code=codes[key]) if key else None

    for template in source["form_templates"]:
        path = PDF_DIR / (Path(template["file"]).stem + ".pdf")
        form_template_save(
            actor=admin,
            code=template["code"],
            name=template["name"],
            legal_basis=template.get("legal_basis", ""),
            file_name=f"{template['name']}.pdf",
            content=path.read_bytes(),
        )
    for item in source["procedures"]:
        version = version_save(actor=admin, content=item["document"], source="demo")
        rule = item["competence"]
        competence_rule_set(
            actor=admin,
            procedure=version.procedure,
            mode=rule["mode"],
            agency=agency(rule.get("agency")),
            authority=rule.get("authority", "competent"),
            delegated_by=agency(rule.get("delegated_by")),
            delegation_basis=rule.get("delegation_basis", ""),
            receiving=rule.get("receiving", "competent_agency"),
        )
        if item.get("publish"):
            version_approve(actor=admin, version=version)
            version_publish(actor=admin, version=version)
    for order, event in enumerate(source["life_events"]):
        life_event_save(
            actor=admin,
            code=event["code"],
            name=event["name"],
            description=event.get("description", ""),
            order=order,
            procedures=Procedure.objects.filter(code__in=event["procedures"]),
        )
    decision = source["full_online_list"]
    full_online_list_create(
        actor=admin,
        decision_number=decision["decision_number"],
        decision_date=decision["decision_date"],
        issuer=decision["issuer"],
        note=decision.get("note", ""),
        procedures=Procedure.objects.filter(code__in=decision["procedures"]),
    )
    # R26: each commune declares birth registration at its one-stop desk and names its
    # receiving officer.
    birth = Procedure.objects.get(code="1.001193")
    for key, _code, _name, group in data.COMMUNES:
        public_service_declare(
            actor=admin,
            procedure=birth,
            agency=Agency.objects.get(code=f"000.01.{group}.{data.H}"),
            channel="direct",
            officials=User.objects.filter(username=f"tn.{key}"),
        )
