"""Reads of process definitions: the one in force for a dossier, permission-aware lists, export."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from motcua.accounts.authz import agencies_where, can
from motcua.accounts.constants import Action
from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound
from motcua.organizations.models import Agency, AgencyKind

from .constants import DefinitionStatus, UnitRefKind
from .models import ProcessDefinition, TestRun

EXPORT_FORMAT = "motcua.workflow/1"


def definition_active_for(procedure: Procedure | int, agency: Agency) -> ProcessDefinition | None:
    """The definition a new dossier of `procedure` settled by `agency` follows.

    The agency's own active definition, else the active province-wide one of its province.
    On the submission hot path: one query, served by the (procedure, status) index.
    """
    rows = (
        ProcessDefinition.objects.filter(procedure=procedure, status=DefinitionStatus.ACTIVE)
        .filter(Q(agency=agency) | Q(agency__isnull=True, province_id=agency.province_id))
        .order_by(F("agency").asc(nulls_last=True))[:1]
    )
    return next(iter(rows), None)


def _visible(user) -> QuerySet[ProcessDefinition]:
    qs = ProcessDefinition.objects.select_related("procedure", "province", "agency")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    allowed = agencies_where(user, Action.WORKFLOW_MANAGE)
    # A definition is scoped like its procedure's catalog: the province's People's Committee
    # (for every definition of the province) plus its own agency (workflows/permissions.py).
    roots = allowed.filter(parent__isnull=True, kind=AgencyKind.PROVINCE_PC).values("province_id")
    return qs.filter(Q(province_id__in=roots) | Q(agency__in=allowed))


def definitions_list(
    *, user, procedure: Procedure | None = None, status: str | None = None
) -> QuerySet[ProcessDefinition]:
    """The definitions `user` may manage, newest version first within each procedure."""
    qs = _visible(user)
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(
        "procedure__code", "province_id", F("agency").asc(nulls_first=True), "-number"
    )


def definition_get(*, user, pk: int) -> ProcessDefinition:
    """One definition; NotFound when it does not exist or `user` may not manage it."""
    definition = (
        ProcessDefinition.objects.select_related("procedure", "province", "agency")
        .filter(pk=pk)
        .first()
    )
    if definition is None or not can(user, Action.WORKFLOW_MANAGE, definition):
        raise NotFound(str(pk))
    return definition


def definition_test_runs(definition: ProcessDefinition) -> QuerySet[TestRun]:
    """The definition's test-runs, latest first."""
    return definition.test_runs.select_related("ran_by").order_by("-ran_at", "-pk")


def definition_last_passed_run(definition: ProcessDefinition) -> TestRun | None:
    return definition.test_runs.filter(passed=True).order_by("-ran_at", "-pk").first()


def _portable_unit(unit: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in unit.items() if k != "agency_id"}
    if out.get("ref") != UnitRefKind.AGENCY:
        out["agency_code"], out["agency_name"] = "", ""
    return out


def definition_export(definition: ProcessDefinition) -> dict[str, Any]:
    """The portable JSON of a definition: no database ids, named units by identifier and name,
    so another province can import it (services.definition_import) and re-map the units."""
    steps = []
    for step in definition.spec.as_document()["steps"]:
        steps.append(
            {
                **step,
                "unit": _portable_unit(step["unit"]),
                "consult_units": [_portable_unit(u) for u in step["consult_units"]],
            }
        )
    agency = definition.agency
    return {
        "format": EXPORT_FORMAT,
        "procedure_code": definition.procedure.code,
        "procedure_name": definition.procedure.name,
        "name": definition.name,
        "note": definition.note,
        "scope": "agency" if agency else "province",
        "agency": {"agency_code": agency.code or "", "agency_name": agency.name}
        if agency
        else None,
        "source": {
            "province": definition.province.name,
            "version": definition.number,
            "status": definition.status,
            "exported_at": timezone.now().isoformat(timespec="seconds"),
        },
        "steps": steps,
    }
