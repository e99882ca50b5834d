"""Writes of the citizens' side: the account a VNeID login creates or updates."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.adapters.vneid import VneidIdentity
from motcua.core.audit import audit_event, audit_record
from motcua.core.errors import NotAllowed

from .models import CitizenAccount

APPLICANT_KINDS = {"citizen": User.Kind.CITIZEN, "organization": User.Kind.ORGANIZATION}
_PROFILE = (
    "subject",
    "tech_id",
    "name",
    "birth_date",
    "address",
    "email",
    "ial",
    "loa",
    "representative_name",
    "representative_number",
)


def _profile(identity: VneidIdentity) -> dict[str, str]:
    return {
        "subject": identity.subject,
        "tech_id": identity.tech_id,
        "name": identity.name,
        "birth_date": identity.birth_date,
        "address": identity.address,
        "email": identity.email,
        "ial": identity.ial,
        "loa": identity.loa,
        "representative_name": identity.representative_name,
        "representative_number": identity.representative_number,
    }


def _username(identity: VneidIdentity) -> str:
    base = (
        f"vneid-{identity.number}" if identity.kind == "citizen" else f"vneid-tc-{identity.number}"
    )
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _create(identity: VneidIdentity, now: dt.datetime) -> CitizenAccount:
    user = User(
        username=_username(identity),
        kind=APPLICANT_KINDS[identity.kind],
        full_name=identity.name,
        is_staff=False,
        is_superuser=False,
    )
    # Citizens log in through the identity provider only: the officials' form refuses them.
    user.set_unusable_password()
    user.save()
    account = CitizenAccount.objects.create(
        user=user,
        kind=identity.kind,
        number=identity.number,
        last_login_at=now,
        **_profile(identity),
    )
    audit_record(
        actor=user, action="citizens.account.create", obj=account, after=_profile(identity)
    )
    return account


def citizen_login(*, identity: VneidIdentity, now: dt.datetime | None = None) -> User:
    """The account of the person (or organization) the identity provider vouched for: created
    at the first login, its profile refreshed at each. Keyed by the identity number (the
    organization's code), never an official's account; a locked account is refused."""
    if identity.kind not in APPLICANT_KINDS or not identity.number:
        raise NotAllowed(_("The identity provider did not give an identity number."))
    now = now or timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                account = (
                    CitizenAccount.objects.select_for_update()
                    .select_related("user")
                    .filter(kind=identity.kind, number=identity.number)
                    .first()
                )
                if account is None:
                    account = _create(identity, now)
                else:
                    _refresh(account, identity, now)
                audit_record(
                    actor=account.user,
                    action="citizens.login",
                    obj=account,
                    note=f"VNeID IAL {identity.ial or '?'}",
                )
                return account.user
        except IntegrityError:
            # Two first logins of one person at once: the other made the account; use it.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _refresh(account: CitizenAccount, identity: VneidIdentity, now: dt.datetime) -> None:
    user = account.user
    if user.kind not in APPLICANT_KINDS.values() or user.is_staff or user.is_superuser:
        # Never happens through this module; refuse rather than log anyone in as staff.
        raise NotAllowed(_("This account cannot log in through VNeID."))
    if not user.is_active:
        raise NotAllowed(_("This account is locked. Contact the one-stop desk."))
    profile = _profile(identity)
    for field, value in profile.items():
        setattr(account, field, value)
    account.last_login_at = now
    account.save(update_fields=[*_PROFILE, "last_login_at"])
    if user.full_name != identity.name:
        user.full_name = identity.name
        user.save(update_fields=["full_name"])


def citizen_login_failed(*, reason: str, detail: str = "") -> None:
    """A VNeID login that proved nothing: recorded in the audit trail (no account is named)."""
    audit_event(
        actor=None,
        actor_label="vneid",
        action="citizens.login_failed",
        object_type="citizens.citizenaccount",
        note=(f"{reason}: {detail}" if detail else reason)[:255],
    )
