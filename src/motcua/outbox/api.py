"""The outbox over the API, mounted at /api/v1/outbox, for the IT team (`system.operate`): the
state of each destination, the dead letters, and their replay."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from motcua.core.errors import NotAllowed
from motcua.core.schemas import Id, list_of

from . import selectors, services
from .models import OutboxEvent, OutboxStatus

router = Router(tags=["outbox"])


class DestinationOut(Schema):
    destination: str
    backlog: int
    in_flight: int
    oldest_pending_seconds: float
    delivered_last_minute: int
    delivered_last_hour: int
    retrying: int
    dead_letters: int
    circuit: str
    circuit_failures: int


class DeadLetterOut(Schema):
    id: int
    destination: str
    kind: str
    aggregate_id: str
    aggregate_seq: int
    idempotency_key: str
    attempts: int
    last_error: str
    created_at: dt.datetime


class ReplayIn(Schema):
    ids: list_of(Id)


class ReplayOut(Schema):
    replayed: int


def _operator(request: HttpRequest) -> None:
    if not selectors.outbox_operator(request.user):
        raise NotAllowed(_("You do not have permission for this action."))


@router.get("/destinations", response=list[DestinationOut])
def destinations(request: HttpRequest):
    """Per destination: backlog, age of the oldest pending event, deliveries, failures, circuit."""
    _operator(request)
    return selectors.outbox_stats()


@router.get("/dead-letters", response=list[DeadLetterOut])
def dead_letters(request: HttpRequest):
    """The 100 oldest dead letters (status `failed`), with their last error."""
    _operator(request)
    return list(OutboxEvent.objects.filter(status=OutboxStatus.FAILED).order_by("id")[:100])


@router.post("/replay", response=ReplayOut)
def replay(request: HttpRequest, payload: ReplayIn):
    """Put dead letters back in the queue (audited); other ids are ignored."""
    return {"replayed": services.outbox_replay(actor=request.user, ids=payload.ids)}


@router.post("/rebuild", response=ReplayOut)
def rebuild(request: HttpRequest, payload: ReplayIn):
    """Rebuild dead letters of the national portal's dossier events from their dossier (after
    the code that builds them was fixed), then replay them (audited); other ids are ignored."""
    from motcua.dossiers.services.resend import national_dead_letters_rebuild

    return {"replayed": national_dead_letters_rebuild(actor=request.user, ids=payload.ids)}
