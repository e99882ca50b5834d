"""Sổ theo dõi hồ sơ (the desk's tracking book): who may print it, for which period, and its rows.

A desk's book lists the dossiers it received (Circular 01/2018/TT-VPCP, Mẫu 02); an agency's
that is not a desk (a department, a People's Committee) lists those it is competent for, so a
leader whose agency receives through the provincial centre's desks has its book too
(`selectors.ledger_dossiers`).

One rule for every way out: the PDF printed in the request (api.py `ledger.pdf`, small periods)
and the background exports (motcua.exports, PDF and .xlsx, any size) both call `ledger_check`
before anything else, and both build their rows with `ledger_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from motcua.accounts.authz import Scope, can, require
from motcua.accounts.constants import Action
from motcua.core.errors import InvalidInput
from motcua.organizations.models import Agency

from .constants import EventKind, Status
from .models import Dossier, DossierEvent

# A ledger covers at most a quarter (three months of a busy desk).
LEDGER_PERIOD_MAX_DAYS = 92

# The columns a row needs, and nothing else: 50,000 rows must not load every dossier's history.
_ROW_FIELDS = (
    "pk",
    "code",
    "procedure_version__name",
    "sets",
    "applicant_name",
    "applicant_address",
    "applicant_phone",
    "competent_agency__name",
    "received_at",
    "submitted_at",
    "due_at",
    "transferred_at",
    "status",
    "finished_at",
    "returned_at",
)


def ledger_permit(user, desk: Agency) -> None:
    """Raise NotAllowed unless `user` receives dossiers at `desk`, or reads the reports of it
    (`report.view`: its leaders, the province's inspectors), and so may read its book."""
    scope = Scope(agencies=((desk.pk, desk.path),))
    if can(user, Action.REPORT_VIEW, scope):
        return
    require(user, Action.DOSSIER_RECEIVE, scope)


def ledger_period_check(start: dt.date, end: dt.date) -> None:
    """Raise InvalidInput unless the period runs forwards and spans at most three months."""
    if end < start or (end - start).days > LEDGER_PERIOD_MAX_DAYS:
        message = _("Choose a period of at most three months.")
        raise InvalidInput(message, errors={"end": [message]})


def ledger_check(user, desk: Agency, start: dt.date, end: dt.date) -> None:
    """The permission first (someone who may not see the desk learns nothing about the periods
    it accepts), then the period."""
    ledger_permit(user, desk)
    ledger_period_check(start, end)


def ledger_rows(dossiers: QuerySet[Dossier], *, chunk_size: int = 2000) -> Iterator[dict[str, Any]]:
    """The ledger's rows (printing.contexts.LedgerRow) for `dossiers`, in their order, streamed.

    One query: the columns the book prints, and the moment the dossier was last passed on
    (its latest STEP event) as a subquery on the (dossier, seq) index, instead of loading every
    event of every dossier."""
    transferred = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), kind=EventKind.STEP)
        .order_by("-seq")
        .values("at")[:1]
    )
    rows = (
        dossiers.select_related(None)
        .prefetch_related(None)
        .annotate(transferred_at=Subquery(transferred))
        .values(*_ROW_FIELDS)
    )
    labels = dict(Status.choices)
    for number, d in enumerate(rows.iterator(chunk_size=chunk_size), start=1):
        yield {
            "number": number,
            "dossier_code": d["code"],
            "procedure_name": d["procedure_version__name"],
            "sets": d["sets"],
            "applicant_name": d["applicant_name"],
            "applicant_contact": ", ".join(
                p for p in (d["applicant_address"], d["applicant_phone"]) if p
            ),
            "competent_agency": d["competent_agency__name"],
            "received_at": d["received_at"] or d["submitted_at"],
            "due_at": d["due_at"],
            "transferred_at": d["transferred_at"],
            "result_received_at": d["finished_at"]
            if d["status"] in (Status.DONE, Status.RETURNED)
            else None,
            "returned_at": d["returned_at"],
            "note": str(labels.get(d["status"], d["status"])),
        }
