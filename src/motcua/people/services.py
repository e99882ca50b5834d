"""Look-ups in the national registers, each recorded and audited in its own transaction.

`citizen_lookup` asks the population database (adapters.population) for a citizen by identity
number; `business_lookup` asks business registration (adapters.business_registry) by tax code.
Only officials who receive dossiers (or the national portal's intake identity) may ask. A
register that does not answer never blocks the desk (Telegram 33/CĐ-TTg: "không bị gián
đoạn"): the outcome is UNAVAILABLE with a message saying so, and the official types the data.
The HTTP call runs outside any transaction; the record of it is written after.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.authz import can, has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.adapters import business_registry, population
from motcua.adapters.errors import GatewayError
from motcua.core.audit import audit_record
from motcua.core.errors import InvalidInput, NotAllowed
from motcua.core.textnorm import fold

from .models import Outcome, Purpose, Register, RegisterLookup

log = logging.getLogger(__name__)

ID_NUMBER_RE = re.compile(r"^(\d{12}|\d{9})$")


@dataclass(frozen=True)
class LookupResult:
    outcome: str
    message: str
    register: str
    number: str
    name: str = ""
    address: str = ""
    commune_code: int | None = None
    email: str = ""
    detail: dict | None = None

    @property
    def found(self) -> bool:
        return self.outcome == Outcome.FOUND


def _allowed(actor: User | None) -> None:
    """Officials who receive dossiers, and the national portal's intake identity (a system
    account, whose grants `can` counts on its own agency, the province)."""
    if has_any(actor, {Action.DOSSIER_RECEIVE}):
        return
    intake = actor is not None and actor.is_authenticated and actor.kind == User.Kind.SYSTEM
    if intake and actor.agency_id and can(actor, Action.DOSSIER_INTAKE, actor.agency):
        return
    raise NotAllowed(_("You do not have permission for this action."))


def _record(
    *, actor: User, register: str, number: str, purpose: str, procedure_code: str, result
) -> None:
    with transaction.atomic():
        row = RegisterLookup.objects.create(
            register=register,
            actor=actor,
            agency_id=actor.agency_id,
            number=number,
            purpose=purpose,
            procedure_code=procedure_code,
            outcome=result.outcome,
            name_folded=fold(result.name)[:255],
        )
        audit_record(
            actor=actor,
            action=f"people.{register}.lookup",
            obj=row,
            agency=actor.agency,
            after={
                "number": number,
                "purpose": purpose,
                "procedure": procedure_code,
                "outcome": result.outcome,
            },
        )


def citizen_lookup(
    *,
    actor: User,
    id_number: str,
    procedure_code: str = "",
    purpose: str = Purpose.RECEPTION,
) -> LookupResult:
    """Tra cứu CSDL quốc gia về dân cư: the citizen holding `id_number` (12 digits, or the old
    9-digit number), to prefill and verify an applicant."""
    _allowed(actor)
    number = id_number.strip()
    if not ID_NUMBER_RE.match(number):
        message = _("A personal identification number has 12 digits (an old ID card 9).")
        raise InvalidInput(message, errors={"id_number": [message]})
    register = Register.POPULATION
    try:
        with population.client_from_settings() as client:
            citizen = client.lookup(
                id_number=number, procedure_code=procedure_code, officer=actor.get_username()
            )
    except GatewayError as exc:
        log.warning("population database look-up failed: %s", exc.message)
        result = LookupResult(
            Outcome.UNAVAILABLE,
            _(
                "The national population database does not answer now. Enter the applicant's "
                "details by hand; the dossier is marked as not verified."
            ),
            register,
            number,
        )
    else:
        if citizen is None:
            result = LookupResult(
                Outcome.NOT_FOUND,
                _("No citizen with number %(number)s in the national population database.")
                % {"number": number},
                register,
                number,
            )
        else:
            home = citizen.current if citizen.current.commune_code else citizen.permanent
            result = LookupResult(
                Outcome.FOUND,
                _("Found in the national population database: %(name)s.")
                % {"name": citizen.full_name},
                register,
                citizen.id_number or number,
                name=citizen.full_name,
                address=home.detail,
                commune_code=int(home.commune_code) if home.commune_code.isdigit() else None,
                email=citizen.email,
                detail={"gender": citizen.gender, "birth_date": citizen.birth_date},
            )
    _record(
        actor=actor,
        register=register,
        number=number,
        purpose=purpose,
        procedure_code=procedure_code,
        result=result,
    )
    return result


def business_lookup(
    *, actor: User, tax_code: str, procedure_code: str = "", purpose: str = Purpose.RECEPTION
) -> LookupResult:
    """Tra cứu đăng ký doanh nghiệp: the enterprise holding `tax_code`."""
    _allowed(actor)
    code = tax_code.strip()
    if not business_registry.TAX_CODE_RE.match(code):
        message = _("A tax code has 10 digits (a branch: 10 digits, a hyphen and 3 more).")
        raise InvalidInput(message, errors={"tax_code": [message]})
    register = Register.BUSINESS
    try:
        with business_registry.client_from_settings() as client:
            found = client.lookup(tax_code=code, officer=actor.get_username())
    except GatewayError as exc:
        log.warning("business registry look-up failed: %s", exc.message)
        result = LookupResult(
            Outcome.UNAVAILABLE,
            _(
                "The national business registration system does not answer now. Enter the "
                "enterprise's details by hand; the dossier is marked as not verified."
            ),
            register,
            code,
        )
    else:
        if found is None:
            result = LookupResult(
                Outcome.NOT_FOUND,
                _("No enterprise with tax code %(code)s in the national business register.")
                % {"code": code},
                register,
                code,
            )
        else:
            result = LookupResult(
                Outcome.FOUND,
                _("Found in the national business register: %(name)s (%(status)s).")
                % {"name": found.name, "status": found.status},
                register,
                code,
                name=found.name,
                address=found.address,
                commune_code=int(found.commune_code) if found.commune_code.isdigit() else None,
                detail={"kind": found.kind, "status": found.status, "founded": found.founded},
            )
    _record(
        actor=actor,
        register=register,
        number=code,
        purpose=purpose,
        procedure_code=procedure_code,
        result=result,
    )
    return result


def applicant_verification(
    *, actor: User | None, number: str, name: str, now: dt.datetime | None = None
) -> str:
    """The register that verified this applicant (a look-up by the same official, found, with
    the same name, in the last POPULATION_VERIFY_MINUTES), or "" (not verified)."""
    if actor is None or not actor.pk or not number.strip():
        return ""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.POPULATION_VERIFY_MINUTES)
    hit = (
        RegisterLookup.objects.filter(
            actor=actor,
            number=number.strip(),
            outcome=Outcome.FOUND,
            name_folded=fold(name)[:255],
            at__gte=since,
            at__lte=now,
        )
        .order_by("-at")
        .values_list("register", flat=True)
        .first()
    )
    return hit or ""
