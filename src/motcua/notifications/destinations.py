"""The outbox destinations "sms" and "email" (registered in outbox/destinations.py): one
gateway call per event, the event's idempotency key as the request id. Each applicant's
messages go in order; a failure holds the later messages of that dossier behind it."""

from __future__ import annotations

from collections.abc import Callable

from motcua.adapters.messaging import GatewayError, MessagingClient, client_from_settings
from motcua.outbox.destinations import DELIVERED, SKIPPED, DeliveryError, Outcome, groups_of
from motcua.outbox.models import OutboxEvent


class _Gateway:
    def __init__(self, client_factory: Callable[[], MessagingClient] | None = None) -> None:
        self.client_factory = client_factory or client_from_settings

    def send(self, client: MessagingClient, event: OutboxEvent) -> None:
        raise NotImplementedError

    def deliver(self, events: list[OutboxEvent]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        with self.client_factory() as client:
            for group in groups_of(events):
                failed = False
                for event in group:
                    if failed:
                        outcomes[event.pk] = SKIPPED
                        continue
                    try:
                        self.send(client, event)
                    except GatewayError as exc:
                        outcomes[event.pk] = DeliveryError(exc.message, exc.permanent)
                        failed = True
                    else:
                        outcomes[event.pk] = DELIVERED
        return outcomes


class SmsGateway(_Gateway):
    def send(self, client: MessagingClient, event: OutboxEvent) -> None:
        p = event.payload
        client.send_sms(request_id=event.idempotency_key, phone=p["phone"], message=p["message"])


class EmailGateway(_Gateway):
    def send(self, client: MessagingClient, event: OutboxEvent) -> None:
        p = event.payload
        client.send_email(
            request_id=event.idempotency_key, to=p["to"], subject=p["subject"], text=p["text"]
        )
