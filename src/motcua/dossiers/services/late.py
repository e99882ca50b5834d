"""Late dossiers (R15): the apology and extension letter, and the due warnings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import InvalidInput, NotFound
from motcua.organizations.models import Agency
from motcua.workflows.units import officials_eligible

from .. import lifecycle
from ..constants import Channel, EventKind, Status, WarningKind
from ..lifecycle import Context, Op
from ..models import Dossier, DueWarning, ExtensionLetter
from ..process import apology_deadline, organization_of, spec_of
from . import clocking
from .events import Transition, check_version, load


def dossier_apology_issue(
    *,
    actor: User,
    dossier: Dossier,
    expected_version: int,
    reason: str,
    new_due_at: dt.datetime,
    agency_at_fault: Agency | None = None,
    step_key: str | None = None,
    now: dt.datetime | None = None,
) -> ExtensionLetter:
    """Văn bản xin lỗi và đề nghị gia hạn: signed by the head of the agency at fault, issued no
    later than the rule set's working days before the deadline; the original appointment stays
    the one the on-time indicators use."""
    now = now or timezone.now()
    if new_due_at.tzinfo is None or new_due_at.utcoffset() is None:
        raise InvalidInput(
            _("Give the new appointment with its time zone."),
            errors={"new_due_at": [_("Give the new appointment with its time zone.")]},
        )
    with transaction.atomic():
        d = load(dossier.pk)
        check_version(d, expected_version)
        # The agency at fault depends on where the dossier is: known only once it is loaded.
        at_fault = agency_at_fault or organization_of(d.step_agency or d.competent_agency)
        rule = lifecycle.check(Op.APOLOGY, actor, d, Context(now=now, at_fault=at_fault))
        if not reason.strip():
            raise InvalidInput(_("Give the reason."), errors={"reason": [_("Give the reason.")]})
        if new_due_at <= d.due_at:
            raise InvalidInput(
                _("The new appointment must be after the current one."),
                errors={"new_due_at": [_("The new appointment must be after the current one.")]},
            )
        t = Transition(rule, d, actor, now)
        old_due = d.due_at
        clocking.extend(d, new_due_at)
        sequence = d.extensions
        t.event(
            EventKind.APOLOGY,
            from_status=d.status,
            from_step=d.step_key,
            to_step=d.step_key,
            from_agency=at_fault,
            to_agency=d.step_agency,
            note=reason.strip(),
            data={
                "sequence": sequence,
                "original_due_at": old_due.isoformat(),
                "new_due_at": new_due_at.isoformat(),
                "agency_at_fault": at_fault.pk,
                "step_key": step_key if step_key is not None else d.step_key,
            },
        )
        t.commit(expected_version)
        return ExtensionLetter.objects.create(
            dossier=d,
            sequence=sequence,
            reason=reason.strip(),
            original_due_at=old_due,
            new_due_at=new_due_at,
            agency_at_fault=at_fault,
            step_key=step_key if step_key is not None else d.step_key,
            signed_by=actor,
            issued_at=now,
            sent_via="online" if d.channel == Channel.ONLINE else "desk",
        )


def due_warnings_scan(*, now: dt.datetime | None = None) -> int:
    """Warn the responsible officials once about each dossier whose appointment is near (by
    the apology deadline) or whose step is overdue. Returns the number of new warnings."""
    now = now or timezone.now()
    created = 0
    running = Dossier.objects.filter(
        status__in=[Status.ACCEPTED, Status.PROCESSING], is_sandbox=False
    ).select_related("competent_agency", "step_agency", "procedure")
    horizon = now + dt.timedelta(days=10)
    for d in running.filter(due_at__lte=horizon).iterator():
        latest = apology_deadline(d)
        targets = []
        if latest is not None and now >= latest - dt.timedelta(days=1):
            targets.append((WarningKind.DUE_SOON, d.due_at))
        if d.step_due_at is not None and now > d.step_due_at:
            targets.append((WarningKind.STEP_OVERDUE, d.step_due_at))
        for kind, target in targets:
            recipients = [d.assignee] if d.assignee_id else _step_officials(d)
            for recipient in recipients or [None]:
                _, made = DueWarning.objects.get_or_create(
                    dossier=d,
                    kind=kind,
                    target_at=target,
                    recipient=recipient,
                )
                created += int(made)
    return created


def due_warning_seen(*, actor: User, warning_id: int, now: dt.datetime | None = None) -> DueWarning:
    """The recipient has read a warning; anyone else is told it does not exist."""
    if actor is None or not actor.is_authenticated:
        raise NotFound(_("No such warning."))
    warning = DueWarning.objects.filter(pk=warning_id, recipient=actor).first()
    if warning is None:
        raise NotFound(_("No such warning."))
    if warning.seen_at is None:
        warning.seen_at = now or timezone.now()
        warning.save(update_fields=["seen_at"])
    return warning


def _step_officials(d: Dossier) -> list[User]:
    try:
        step = spec_of(d).step(d.step_key)
    except KeyError:
        return []
    return officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure)
