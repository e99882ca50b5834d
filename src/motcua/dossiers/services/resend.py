"""Dead letters for the national portal rebuilt from the dossier, then replayed.

An event refused by the portal because of what we sent (a field it rejects) is a dead letter
whose payload was frozen when the change was made; once the code that builds it is fixed, the
IT team rebuilds each such event from the dossier and its history row, then replays it
(`outbox_replay`, audited). The dossier object is the dossier as it is now at the row's status;
the progress row is the history row's. Other dead letters are left as they are."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.authz import has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.audit import audit_record
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.outbox.models import OutboxEvent, OutboxStatus
from motcua.outbox.services import outbox_replay

from ..models import Dossier, DossierEvent
from ..national import dossier_object
from .events import DESTINATION, national_payload


def national_dead_letters_rebuild(*, actor: User, ids: list[int]) -> int:
    """Rebuild the payload of the chosen dead letters of the national portal's dossier events
    from their dossier, then put them back in the queue. Returns how many were replayed."""
    if not has_any(actor, {Action.SYSTEM_OPERATE}):
        raise NotAllowed(_("You do not have permission for this action."))
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise InvalidInput(_("Choose at least one event."), errors={"ids": [_("Required.")]})
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update().filter(
                pk__in=ids,
                status=OutboxStatus.FAILED,
                destination=DESTINATION,
                aggregate_type="dossier",
            )
        )
        dossiers = {
            d.code: d
            for d in Dossier.objects.select_related(
                "procedure", "procedure_version__field", "competent_agency", "return_agency"
            ).filter(code__in={e.aggregate_id for e in events})
        }
        rebuilt = []
        with translation.override("vi"):
            for event in events:
                d = dossiers.get(event.aggregate_id)
                row = (
                    DossierEvent.objects.select_related("actor", "to_agency")
                    .filter(dossier=d, seq=event.aggregate_seq)
                    .first()
                    if d is not None
                    else None
                )
                if row is None:
                    continue
                name = (row.actor.full_name or row.actor.get_username()) if row.actor else ""
                before = event.payload
                event.payload = national_payload(d, row, dossier_object(d), name)
                event.save(update_fields=["payload"])
                audit_record(
                    actor=actor,
                    action="outbox.rebuild",
                    obj=event,
                    before={"payload": before},
                    after={"payload": event.payload},
                    note=event.last_error[:255],
                )
                rebuilt.append(event.pk)
        return outbox_replay(actor=actor, ids=rebuilt) if rebuilt else 0
