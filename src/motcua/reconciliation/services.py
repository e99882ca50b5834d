"""Reconciliation with the national portal (issue 13, DOMAIN-integration.md §1.1 `TraCuuHoSo`).

For the dossiers received in a period, ask the portal what it holds (`TraCuuHoSo`, one call a
dossier) and compare its status code with ours; a dossier missing there or at another status is
a difference. With `resend`, each difference gets a *resync* outbox event: the dossier object and
its latest progress row as they are now, delivered by the dispatcher like any event (retry,
circuit breaker, dead letter), under its own idempotency key so the portal applies it even
though it once applied the original events (`outbox/destinations.py` sends it; it is dropped
if the dossier changed after it was made, since the newer events carry the newer state).

Dossiers whose changes are still queued or in flight are not differences (they are counted as
in flight), nor those with a dead letter (counted apart: the operator replays it). The run is
recorded with its counts and the first `DETAIL_LIMIT` differences; the scheduler runs it for
yesterday every night, an operator for any period up to `MAX_DAYS` days (command, API).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.adapters.national_portal.catalog import NationalPortalError
from motcua.adapters.national_portal.sync import NationalSyncClient, sync_client_from_settings
from motcua.core.audit import audit_record
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.workcalendar import TZ
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.national import dossier_object, progress_row
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.services import OutboxItem, outbox_add_many

from .models import Reconciliation

log = logging.getLogger(__name__)

DESTINATION = "dvcqg"
RESYNC = "dossier.resync"
MAX_DAYS = 31
DETAIL_LIMIT = 1000
BATCH = 500


def reconcile(
    *,
    start: dt.date,
    end: dt.date,
    actor: User | None = None,
    resend: bool = True,
    client_factory: Callable[[], NationalSyncClient] | None = None,
) -> Reconciliation:
    """Compare the portal's view of the dossiers received `start`..`end` with ours; re-send the
    differences (`resend`). `actor` None is the scheduler; an official needs `system.operate`.
    A portal that stops answering ends the run as failed, with what was compared so far."""
    if actor is not None and not has_any(actor, {Action.SYSTEM_OPERATE}):
        raise NotAllowed(_("You do not have permission for this action."))
    if end < start:
        message = _("The end of the period is before its start.")
        raise InvalidInput(message, errors={"end": [message]})
    if (end - start).days >= MAX_DAYS:
        message = _("Choose a period of at most %(n)d days.") % {"n": MAX_DAYS}
        raise InvalidInput(message, errors={"start": [message]})
    run = Reconciliation.objects.create(
        start=start, end=end, requested_by=actor, resend=resend, state=Reconciliation.State.RUNNING
    )
    if actor is not None:
        audit_record(actor=actor, action="reconciliation.run", obj=run, note=f"{start}..{end}")
    try:
        with (client_factory or sync_client_from_settings)() as client:
            _compare(run, client)
    except NationalPortalError as exc:
        run.state = Reconciliation.State.FAILED
        run.error = str(exc)[:2000]
        log.warning("reconciliation %s stopped: %s", run.pk, exc)
    else:
        run.state = Reconciliation.State.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _undelivered(status: str | None = None) -> Exists:
    events = OutboxEvent.objects.filter(
        destination=DESTINATION, aggregate_type="dossier", aggregate_id=OuterRef("code")
    ).exclude(status=OutboxStatus.DELIVERED)
    if status is not None:
        events = events.filter(status=status)
    return Exists(events)


def _compare(run: Reconciliation, client: NationalSyncClient) -> None:
    since = dt.datetime.combine(run.start, dt.time.min, tzinfo=TZ)
    until = dt.datetime.combine(run.end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    synced = Exists(
        OutboxEvent.objects.filter(
            destination=DESTINATION, aggregate_type="dossier", aggregate_id=OuterRef("code")
        )
    )
    dossiers = (
        Dossier.objects.filter(is_sandbox=False, submitted_at__gte=since, submitted_at__lt=until)
        .filter(synced)
        .annotate(pending=_undelivered(), dead=_undelivered(OutboxStatus.FAILED))
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(dossiers.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        differences = []
        for d in batch:
            run.checked += 1
            if d.dead:
                run.dead_letters += 1
                continue
            if d.pending:
                run.in_flight += 1
                continue
            held = client.dossier_lookup(d.external_code or d.code)
            portal = str(held[0].get("TrangThaiHoSo", "")) if held else None
            ours = str(d.national_status)
            if portal == ours:
                run.matching += 1
                continue
            kind = "missing" if portal is None else "differs"
            run.missing += kind == "missing"
            run.differing += kind == "differs"
            differences.append((d, kind, portal))
            if len(run.differences) < DETAIL_LIMIT:
                run.differences.append(
                    {"code": d.code, "kind": kind, "ours": ours, "portal": portal}
                )
        if run.resend and differences:
            run.resent += _resend(run, [(d, portal is not None) for d, _k, portal in differences])
        run.save()


def _resend(run: Reconciliation, dossiers: list[tuple[Dossier, bool]]) -> int:
    """One resync event per dossier: its object and latest progress row as they are now."""
    loaded = {
        d.pk: d
        for d in Dossier.objects.select_related(
            "procedure", "procedure_version__field", "competent_agency", "return_agency"
        ).filter(pk__in=[d.pk for d, _held in dossiers])
    }
    latest = {
        (e.dossier_id, e.seq): e
        for e in DossierEvent.objects.select_related("actor", "to_agency").filter(
            dossier_id__in=list(loaded), seq__in={d.event_seq for d, _held in dossiers}
        )
    }
    items = []
    with translation.override("vi"):
        for d, held in dossiers:
            fresh = loaded[d.pk]
            event = latest.get((fresh.pk, fresh.event_seq))
            if event is None:
                continue
            actor = event.actor
            name = (actor.full_name or actor.get_username()) if actor is not None else ""
            document = dossier_object(fresh)
            items.append(
                OutboxItem(
                    destination=DESTINATION,
                    kind=RESYNC,
                    aggregate_type=RESYNC,
                    aggregate_id=fresh.code,
                    aggregate_seq=run.pk,
                    payload={
                        "dossier": {**document, "TrangThaiHoSo": str(fresh.national_status)},
                        "progress": progress_row(fresh, event, actor_name=name),
                        "seq": fresh.event_seq,
                        "portal_has": held,
                        "reconciliation": run.pk,
                    },
                )
            )
    with transaction.atomic():
        outbox_add_many(items)
    return len(items)
