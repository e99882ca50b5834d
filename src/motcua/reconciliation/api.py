"""Reconciliation with the national portal over the API, mounted at /api/v1/reconciliations,
for the IT team (`system.operate`): run one for a period, and read the runs."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.core.errors import NotAllowed, NotFound

from .models import Reconciliation
from .services import reconcile

router = Router(tags=["reconciliation"])


class ReconcileIn(Schema):
    start: dt.date
    end: dt.date
    resend: bool = True


class DifferenceOut(Schema):
    code: str
    kind: str
    ours: str
    portal: str | None


class ReconciliationOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    state: str
    resend: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    checked: int
    matching: int
    missing: int
    differing: int
    in_flight: int
    dead_letters: int
    resent: int
    differences: list[DifferenceOut]
    error: str


def _operator(request: HttpRequest) -> None:
    if not has_any(request.user, {Action.SYSTEM_OPERATE}):
        raise NotAllowed(_("You do not have permission for this action."))


@router.post("", response={201: ReconciliationOut})
def run(request: HttpRequest, payload: ReconcileIn):
    """Compare the dossiers received in the period (at most 31 days) with what the national
    portal holds, and re-send the differences (`resend`). Runs while the request waits: one
    look-up a dossier."""
    result = reconcile(
        start=payload.start, end=payload.end, actor=request.user, resend=payload.resend
    )
    return Status(201, result)


@router.get("", response=list[ReconciliationOut])
def runs(request: HttpRequest):
    """The 50 latest runs, the scheduler's nightly ones included."""
    _operator(request)
    return list(Reconciliation.objects.all()[:50])


@router.get("/{run_id}", response=ReconciliationOut)
def one(request: HttpRequest, run_id: int):
    _operator(request)
    found = Reconciliation.objects.filter(pk=run_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found
