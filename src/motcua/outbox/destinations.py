"""Where outbox events go: one Destination per external system, keyed by `destination`.

A destination delivers a claimed batch (events of several aggregates, each aggregate's events
consecutive and in order) and says, per event, DELIVERED, a DeliveryError (permanent or not), or
SKIPPED (not attempted because an earlier event of its aggregate failed; it waits behind it).
It never touches the outbox rows: the dispatcher records the outcome. An event that must wait
for something outside its own aggregate (a rating waits for its dossier's history to reach the
portal) is `Deferred`: not attempted, due again after a while, no attempt counted, and no
failure for the circuit breaker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from motcua.adapters.national_portal.catalog import NationalPortalError
from motcua.adapters.national_portal.sync import NationalSyncClient, sync_client_from_settings

from .models import OutboxEvent, OutboxStatus

DELIVERED = "delivered"
SKIPPED = "skipped"
# A reconciliation's re-send of a dossier's current state (reconciliation/services.py).
RESYNC = "dossier.resync"
# The applicants' ratings and the answers to the portal's questions (feedback/services.py).
RATING = "rating"
QUESTION = "question"
FEEDBACK = {RATING, QUESTION}


@dataclass
class DeliveryError:
    message: str
    permanent: bool = False


@dataclass
class Deferred:
    """Not attempted: try again in `seconds` (not a failure of the destination)."""

    seconds: float
    reason: str = ""


Outcome = str | DeliveryError | Deferred

# A rating waits this long between checks whether its dossier has reached the portal.
WAIT_FOR_DOSSIER_SECONDS = 30.0


class Destination(Protocol):
    def deliver(self, events: list[OutboxEvent]) -> dict[int, Outcome]: ...


def groups_of(events: list[OutboxEvent]) -> list[list[OutboxEvent]]:
    """The batch per aggregate, each in sequence order, aggregates in order of first event."""
    groups: dict[tuple[str, str], list[OutboxEvent]] = {}
    for e in sorted(events, key=lambda e: e.pk):
        groups.setdefault((e.aggregate_type, e.aggregate_id), []).append(e)
    return [sorted(g, key=lambda e: e.aggregate_seq) for g in groups.values()]


def _keyed(row: dict[str, Any], event: OutboxEvent) -> dict[str, Any]:
    return {**row, "IdempotencyKey": event.idempotency_key}


# National status codes (§1.4) sent as they are by DongBoTrangThaiHoSo. UNCONFIRMED: OCPS maps
# them to a coarse set (4/6/9/10 → 2, 3/7/8 → 5) and TDDVC sends 3 as 11; the portal's own list
# for this service is not public (DOMAIN-integration.md §9.3).
def status_row(event: OutboxEvent) -> dict[str, Any]:
    dossier = event.payload["dossier"]
    progress = event.payload["progress"]
    return {
        "MaHoSo": dossier["MaHoSoKhac"],
        "MaHoSoDonVi": dossier["MaHoSo"],
        "MaDoiTuong": dossier.get("MaDoiTuong", ""),
        "NoiDung": progress.get("NoiDungXuLy", ""),
        "NgayXuLy": progress.get("ThoiDiemXuLy", ""),
        "TrangThai": progress.get("TrangThai", ""),
        "TaiLieuXuLy": [],
        "IdempotencyKey": event.idempotency_key,
    }


class NationalPortal:
    """dvcqg: `dossier.progress` events of dossier history (dossiers/services/events.py), and
    the applicants' ratings and the answers to the portal's questions (feedback/services.py).

    Dossiers born at a desk: DongBoHoSoMC (create the first time, update after) with the latest
    dossier object of each dossier in the batch, in one call, then CapNhatTienDoHoSoMC with every
    progress row of the batch in order. Dossiers born on the portal (MaHoSoKhac set): one
    DongBoTrangThaiHoSo per event (§9.3). A permanent refusal of a batch is narrowed down to the
    dossier that caused it by sending each dossier alone, so one bad dossier does not hold the
    others back.

    Ratings (aggregate `rating`, one per dossier): one DongBoDanhGia each, after the dossier's
    groups of the batch, and only once every history row up to the one the rating followed has
    been delivered (else Deferred): the portal must hold the dossier before its rating.
    Answers (aggregate `question`): one DongBoKetQuaHoiDapGuiTuDVCQG each. Both carry the
    event's idempotency key, so a repeated delivery is applied once.
    """

    def __init__(self, client_factory: Callable[[], NationalSyncClient] | None = None) -> None:
        self.client_factory = client_factory or sync_client_from_settings

    def deliver(self, events: list[OutboxEvent]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        groups = groups_of(events)
        resyncs = [e for g in groups if g[0].aggregate_type == RESYNC for e in g]
        feedback = [g for g in groups if g[0].aggregate_type in FEEDBACK]
        groups = [g for g in groups if g[0].aggregate_type not in FEEDBACK | {RESYNC}]
        if resyncs:
            with self.client_factory() as client:
                outcomes |= {e.pk: self._resync(client, e) for e in resyncs}
        if groups:
            outcomes |= self._dossiers(groups)
        if feedback:
            with self.client_factory() as client:
                for group in feedback:
                    outcomes |= self._feedback(client, group, outcomes)
        return outcomes

    def _dossiers(self, groups: list[list[OutboxEvent]]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        born_on_portal = [g for g in groups if g[0].payload["dossier"].get("MaHoSoKhac")]
        born_here = [g for g in groups if not g[0].payload["dossier"].get("MaHoSoKhac")]
        with self.client_factory() as client:
            for group in born_on_portal:
                outcomes |= self._status_group(client, group)
            if born_here:
                try:
                    self._sync(client, born_here)
                except NationalPortalError as exc:
                    if exc.permanent and len(born_here) > 1:
                        for group in born_here:
                            outcomes |= self._one(client, group)
                    else:
                        outcomes |= _failed(born_here, exc)
                else:
                    outcomes |= {e.pk: DELIVERED for g in born_here for e in g}
        return outcomes

    @staticmethod
    def _feedback(
        client: NationalSyncClient, group: list[OutboxEvent], so_far: dict[int, Outcome]
    ) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        failed = False
        for event in group:
            if failed:
                outcomes[event.pk] = SKIPPED
                continue
            if event.aggregate_type == RATING and _dossier_behind(event, so_far):
                outcomes[event.pk] = Deferred(
                    WAIT_FOR_DOSSIER_SECONDS, "the dossier has not reached the portal yet"
                )
                failed = True  # the rest of this aggregate waits behind it
                continue
            try:
                if event.aggregate_type == RATING:
                    client.rating_sync(_keyed(event.payload["rating"], event))
                else:
                    client.answer_sync(_keyed(event.payload["answer"], event))
            except NationalPortalError as exc:
                outcomes[event.pk] = DeliveryError(exc.message, exc.permanent)
                failed = True
            else:
                outcomes[event.pk] = DELIVERED
        return outcomes

    def _one(self, client: NationalSyncClient, group: list[OutboxEvent]) -> dict[int, Outcome]:
        try:
            self._sync(client, [group])
        except NationalPortalError as exc:
            return _failed([group], exc)
        return {e.pk: DELIVERED for e in group}

    @staticmethod
    def _sync(client: NationalSyncClient, groups: list[list[OutboxEvent]]) -> None:
        created = _created(groups)
        creates, updates = [], []
        for group in groups:
            last = group[-1]
            document = _keyed(last.payload["dossier"], last)
            (updates if last.aggregate_id in created else creates).append(document)
        client.dossiers_sync(creates, updating=False)
        client.dossiers_sync(updates, updating=True)
        client.progress_sync([_keyed(e.payload["progress"], e) for g in groups for e in g])

    @staticmethod
    def _status_group(client: NationalSyncClient, group: list[OutboxEvent]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        failed = False
        for event in group:
            if failed:
                outcomes[event.pk] = SKIPPED
                continue
            try:
                client.status_sync(status_row(event))
            except NationalPortalError as exc:
                outcomes[event.pk] = DeliveryError(exc.message, exc.permanent)
                failed = True
            else:
                outcomes[event.pk] = DELIVERED
        return outcomes

    @staticmethod
    def _resync(client: NationalSyncClient, event: OutboxEvent) -> Outcome:
        """A reconciliation's re-send (reconciliation/services.py): the dossier object and its
        latest progress row as they were when the difference was found, under the event's own
        idempotency key. Dropped (delivered, nothing sent) once the dossier has changed since:
        its newer events carry the newer state, and an older one must not overtake them."""
        newer = OutboxEvent.objects.filter(
            destination=event.destination,
            aggregate_type="dossier",
            aggregate_id=event.aggregate_id,
            aggregate_seq__gt=event.payload["seq"],
        )
        if newer.exists():
            return DELIVERED
        try:
            if event.payload["dossier"].get("MaHoSoKhac"):
                client.status_sync(status_row(event))
            else:
                document = _keyed(event.payload["dossier"], event)
                client.dossiers_sync([document], updating=bool(event.payload["portal_has"]))
                client.progress_sync([_keyed(event.payload["progress"], event)])
        except NationalPortalError as exc:
            return DeliveryError(exc.message, exc.permanent)
        return DELIVERED


def _dossier_behind(rating: OutboxEvent, so_far: dict[int, Outcome]) -> bool:
    """Has the rated dossier a history row up to the one the rating followed that the portal
    has not acknowledged (delivered in this batch counts)? One indexed query."""
    waiting = OutboxEvent.objects.filter(
        destination=rating.destination,
        aggregate_type="dossier",
        aggregate_id=rating.aggregate_id,
        aggregate_seq__lte=rating.payload.get("dossier_seq", 0),
    ).exclude(status=OutboxStatus.DELIVERED)
    return any(so_far.get(pk) != DELIVERED for pk in waiting.values_list("pk", flat=True))


def _created(groups: list[list[OutboxEvent]]) -> set[str]:
    """The dossiers the portal has seen: those with a delivered event (the dossier went with
    it; every delivered event of a dossier precedes the undelivered ones). One query per batch.
    A lost answer is cured by the client's create ↔ update switch."""
    head = groups[0][0]
    return set(
        OutboxEvent.objects.filter(
            destination=head.destination,
            aggregate_type=head.aggregate_type,
            aggregate_id__in=[g[0].aggregate_id for g in groups],
            status=OutboxStatus.DELIVERED,
        )
        .values_list("aggregate_id", flat=True)
        .distinct()
    )


def _failed(groups: list[list[OutboxEvent]], exc: NationalPortalError) -> dict[int, Outcome]:
    """The call failed for these dossiers: the head of each bears the error (its attempts and
    backoff), the events after it were not applied and wait behind it."""
    outcomes: dict[int, Outcome] = {}
    for group in groups:
        outcomes[group[0].pk] = DeliveryError(exc.message, exc.permanent)
        outcomes |= {e.pk: SKIPPED for e in group[1:]}
    return outcomes


def _sms() -> Destination:
    from motcua.notifications.destinations import SmsGateway  # it imports this module

    return SmsGateway()


def _email() -> Destination:
    from motcua.notifications.destinations import EmailGateway

    return EmailGateway()


def _ministry(system: str) -> Callable[[], Destination]:
    def factory() -> Destination:
        from motcua.coordination.destinations import MinistrySystem  # it imports this module

        return MinistrySystem(system)

    return factory


REGISTRY: dict[str, Callable[[], Destination]] = {
    "dvcqg": NationalPortal,
    # Notifications to applicants (notifications/messages.py writes them).
    "sms": _sms,
    "email": _email,
    # Hand-overs to ministries' systems and the national coordination system, one destination
    # per configured system (coordination/services.py writes them).
    **{f"ministry:{name}": _ministry(name) for name in settings.EXTERNAL_SYSTEMS},
}


def destination_for(name: str) -> Destination | None:
    factory = REGISTRY.get(name)
    return factory() if factory else None
