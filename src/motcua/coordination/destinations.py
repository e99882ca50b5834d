"""The outbox destinations `ministry:<system>` (registered in outbox/destinations.py for every
configured external system), two kinds of events:

- `dossier.handover` (aggregate `handover`): one hand-over call per event, the event's
  idempotency key as the record's `IdempotencyKey` and the `Idempotency-Key` header, `AcceptKey`
  the receiver's own key;
- `dossier.progress` (aggregate `inbound`, progress.py): the `TienTrinhHoSoBTXH` rows of a
  dossier the system handed us, the batch's rows of one dossier in one call, in order, each
  with its idempotency key.

A dossier's events go in order; a failure holds its later ones behind it.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.adapters.ministry import GatewayError, MinistryClient, client_for
from motcua.outbox.destinations import DELIVERED, SKIPPED, DeliveryError, Outcome, groups_of
from motcua.outbox.models import OutboxEvent

from .progress import PROGRESS_KIND


class MinistrySystem:
    def __init__(
        self, system: str, client_factory: Callable[[str], MinistryClient] | None = None
    ) -> None:
        self.system = system
        self.client_factory = client_factory or client_for

    def deliver(self, events: list[OutboxEvent]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        with self.client_factory(self.system) as client:
            for group in groups_of(events):
                if group[0].kind == PROGRESS_KIND:
                    outcomes |= self._progress(client, group)
                    continue
                failed = False
                for event in group:
                    if failed:
                        outcomes[event.pk] = SKIPPED
                        continue
                    try:
                        client.handover(
                            event.payload["dossier"], idempotency_key=event.idempotency_key
                        )
                    except GatewayError as exc:
                        outcomes[event.pk] = DeliveryError(exc.message, exc.permanent)
                        failed = True
                    else:
                        outcomes[event.pk] = DELIVERED
        return outcomes

    @staticmethod
    def _progress(client: MinistryClient, group: list[OutboxEvent]) -> dict[int, Outcome]:
        rows = [{**e.payload["progress"], "IdempotencyKey": e.idempotency_key} for e in group]
        try:
            client.progress(rows)
        except GatewayError as exc:
            return {e.pk: DeliveryError(exc.message, exc.permanent) for e in group}
        return {e.pk: DELIVERED for e in group}
