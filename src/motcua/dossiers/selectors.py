"""Reads of dossiers: permission-aware lists and look-ups, and the public tracking answer."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.authz import agencies_where, can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.accounts.services import normalize_phone
from motcua.core.errors import NotFound

from .constants import NATIONAL_CODE, NATIONAL_STATUS_NAMES, Status
from .models import Dossier, DossierEvent

_RELATED = (
    "procedure",
    "procedure_version__field",
    "definition",
    "receiving_agency",
    "competent_agency",
    "return_agency",
    "step_agency",
    "assignee",
)

# The procedure version's whole content document is large and rarely needed with a dossier.
_HEAVY = ("procedure_version__document", "definition__document")


def dossiers_visible(user: User) -> QuerySet[Dossier]:
    """Dossiers the official may see: received at, settled by or held by an agency where they
    hold `dossier.view` (grants narrowed to a field or procedure are checked per dossier)."""
    qs = Dossier.objects.select_related(*_RELATED).defer(*_HEAVY)
    if user.is_superuser:
        return qs
    agencies = agencies_where(user, Action.DOSSIER_VIEW)
    return qs.filter(
        Q(receiving_agency__in=agencies)
        | Q(competent_agency__in=agencies)
        | Q(step_agency__in=agencies)
    )


def dossiers_list(
    *,
    user: User,
    status: str | None = None,
    agency_id: int | None = None,
    mine: bool = False,
    query: str = "",
    include_sandbox: bool = False,
) -> QuerySet[Dossier]:
    qs = dossiers_visible(user)
    if not include_sandbox:
        qs = qs.filter(is_sandbox=False)
    if status:
        qs = qs.filter(status=status)
    if agency_id:
        qs = qs.filter(Q(step_agency_id=agency_id) | Q(competent_agency_id=agency_id))
    if mine:
        qs = qs.filter(assignee=user)
    if query:
        qs = qs.filter(
            Q(code__icontains=query)
            | Q(applicant_name__icontains=query)
            | Q(applicant_id_number=query)
        )
    return qs.order_by("step_due_at", "-pk")


def dossier_get(*, user: User, pk: int | None = None, code: str | None = None) -> Dossier:
    """One dossier the user may see; "not found" for one they may not (STYLE rule 3)."""
    qs = Dossier.objects.select_related(*_RELATED).defer(*_HEAVY)
    d = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code).first()
    if d is None or not can(user, Action.DOSSIER_VIEW, d):
        raise NotFound(_("Dossier not found."))
    return d


def dossier_load(pk: int) -> Dossier:
    """A dossier with what its API representation needs (no permission check: callers')."""
    return Dossier.objects.select_related(*_RELATED).defer(*_HEAVY).get(pk=pk)


def dossier_history(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "from_agency", "to_agency", "to_user").order_by(
        "seq"
    )


def status_mapping() -> list[dict]:
    """The mapping the province sees: our statuses → the national portal's codes."""
    return [
        {
            "status": status.value,
            "label": str(status.label),
            "national_code": NATIONAL_CODE[status],
            "national_name": NATIONAL_STATUS_NAMES[NATIONAL_CODE[status]],
        }
        for status in Status
    ]


@dataclass(frozen=True)
class TrackingStep:
    at: dt.datetime
    status_name: str
    agency: str


@dataclass(frozen=True)
class Tracking:
    """What the public may know about a dossier: no names of officials, no personal data."""

    code: str
    procedure: str
    status_code: int
    status_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    held_by: str
    return_place: str
    steps: list[TrackingStep]


def _matches(dossier: Dossier, factor: str) -> bool:
    factor = factor.strip()
    if not factor:
        return False
    candidates = [dossier.applicant_id_number]
    if dossier.applicant_phone:
        candidates.append(dossier.applicant_phone)
    given = normalize_phone(factor) if not factor.isdigit() or len(factor) != 12 else factor
    return any(hmac.compare_digest(given.encode(), c.encode()) for c in candidates if c)


def dossier_track(code: str, factor: str) -> Tracking:
    """The public answer for a code and a second factor (the applicant's phone or identity
    number). A wrong factor and an unknown code get the same "not found"."""
    d = (
        Dossier.objects.select_related("procedure_version", "step_agency", "return_agency")
        .defer("procedure_version__document")
        .filter(code=code.strip(), is_sandbox=False)
        .first()
    )
    if d is None or not _matches(d, factor):
        raise NotFound(_("No dossier matches this code and phone or identity number."))

    def iso(value):
        return value

    events = (
        d.events.select_related("to_agency")
        .order_by("seq")
        .values_list("at", "national_status", "to_agency__name")
    )
    steps: list[TrackingStep] = []
    for at, code_, agency in events:
        same = steps and steps[-1].status_name == NATIONAL_STATUS_NAMES[code_]
        if same and steps[-1].agency == (agency or ""):
            continue
        steps.append(TrackingStep(iso(at), NATIONAL_STATUS_NAMES[code_], agency or ""))
    return Tracking(
        code=d.code,
        procedure=d.procedure_version.name,
        status_code=d.national_status,
        status_name=NATIONAL_STATUS_NAMES[d.national_status],
        received_at=iso(d.received_at),
        due_at=iso(d.due_at),
        finished_at=iso(d.finished_at),
        returned_at=iso(d.returned_at),
        held_by=d.step_agency.name if d.step_agency_id else "",
        return_place=d.return_agency.name,
        steps=steps,
    )
