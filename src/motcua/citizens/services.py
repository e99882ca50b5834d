"""Writes of the citizens' side: the account a VNeID login creates or updates; the applicant's
answer to a supplement request, uploaded from "Hồ sơ của tôi"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.adapters.vneid import VneidIdentity
from motcua.core.audit import audit_event, audit_record
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers import lifecycle
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import Context, Op
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import ComponentIn, dossier_supplement_received

from . import selectors
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


# ---------------------------------------------------------------------------------------------
# Nộp bổ sung trực tuyến: the applicant answers a supplement request from "Hồ sơ của tôi"

# Files in one submission: a request lists a few papers; more is a mistake, not a supplement.
SUPPLEMENT_MAX_FILES = 20


@dataclass(frozen=True)
class SupplementFile:
    """One file the applicant uploads, and the number (from 1) of the request's item it
    answers."""

    item: int
    upload: UploadedFile | bytes
    name: str = ""


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def my_supplement_submit(
    *,
    actor: User,
    code: str,
    expected_version: int,
    files: list[SupplementFile],
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """The applicant uploads the papers a supplement request (Mẫu 02) asked for.

    Every file is checked by its content (`documents.inspection`) before anything is written,
    and every refusal is reported at once (InvalidInput, one entry per item: `item_<n>`);
    nothing is stored if one is refused, nor if an item asked for has no file. Then the
    supplement comes back exactly as a re-delivery from the national portal does
    (`dossiers.services.intake._supplement`): `dossier_supplement_received` with the
    applicant as the actor, which the lifecycle allows (`Op.SUPPLEMENT_RECEIVED`,
    `TheApplicant`), so at reception the dossier goes back to the desk and during processing
    the clock restarts or resumes (DOMAIN-legal-2025.md §3, DOMAIN-legal.md §1.3: the time
    limit counts again once the complete dossier is received). Each file becomes a component
    of the supplement round (named by the item; with the code of the dossier's component of
    that name, if one) and its paper (kind SUPPLEMENT, owned by the applicant), in the
    dossier's transaction. Another person's dossier is "not found".
    """
    from motcua.documents.inspection import inspect
    from motcua.documents.services import read_content

    d = selectors.my_dossier_get(user=actor, code=code)
    asked = selectors.supplement_asked(d) if d.status == Status.SUPPLEMENT else None
    if asked is None or not asked.items:
        raise Conflict(
            _("Dossier %(code)s is not waiting for a supplement: there is nothing to submit.")
            % {"code": d.code},
            code="not_awaiting_supplement",
        )
    # The lifecycle's own refusal (wrong person, wrong state) before any file is read.
    lifecycle.check(Op.SUPPLEMENT_RECEIVED, actor, d, Context(now=now))
    errors: dict[str, list[str]] = {}
    if not files:
        errors["files"] = [_("Attach the files the agency asked for.")]
    elif len(files) > SUPPLEMENT_MAX_FILES:
        errors["files"] = [
            _("At most %(n)d files may be submitted at once.") % {"n": SUPPLEMENT_MAX_FILES}
        ]
    answered = {f.item for f in files}
    for n in sorted(answered - set(range(1, len(asked.items) + 1))):
        errors.setdefault("items", []).append(
            _("Item %(n)d is not one the agency asked for.") % {"n": n}
        )
    for n, item in enumerate(asked.items, start=1):
        if n not in answered:
            errors.setdefault(f"item_{n}", []).append(
                _("Attach a file for “%(item)s”.") % {"item": item}
            )
    checked = []
    if "files" not in errors:
        for f in files:
            key = f"item_{f.item}"
            name = f.name or getattr(f.upload, "name", "") or ""
            try:
                checked.append((f.item, inspect(read_content(f.upload, field=key), name=name)))
            except InvalidInput as exc:
                messages = [m for ms in exc.errors.values() for m in ms] or [exc.message]
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise InvalidInput(
            _("Nothing was submitted: correct what is marked below and send again."),
            errors=errors,
        )
    by_name = {c.name: c.code for c in d.components.filter(supplement_round=0).only("name", "code")}
    components = []
    for n, paper in checked:
        item = asked.items[n - 1]
        code_of = next((c for name, c in by_name.items() if _same_name(name, item)), "")
        components.append(
            ComponentIn(
                name=item,
                code=code_of,
                copies=1,
                file_name=paper.name,
                file_size=paper.size,
                file_sha256=paper.sha256,
                file_type=paper.content_type,
                upload=paper,
            )
        )
    marker = _("Supplement submitted online by the applicant (My dossiers).")
    note = note.strip()
    return dossier_supplement_received(
        actor=actor,
        dossier=d,
        expected_version=expected_version,
        components=components,
        note=f"{marker}\n{note}" if note else marker,
        now=now,
    )
