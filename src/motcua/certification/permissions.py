"""Who may certify copies and read the book: the one rule (R21).

- Certify (chứng thực): Decree 23/2015/NĐ-CP art. 5 gives the commune People's Committee's
  chairman or vice-chairman the signature, with the committee's seal. Here: holding "sign
  results and letters" (`Action.DOSSIER_SIGN`, the agency leader's action) over a commune
  People's Committee; signing.services.may_sign asks the same of the signer, who is the actor.
  No new Action: the grants and roles of accounts already say who signs for a commune.
- Read the book and its copies: `dossier.view` or `dossier.sign` over that agency.
"""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.accounts.authz import Scope, agencies_where, can, scope_of
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.organizations.models import Agency, AgencyKind

from .models import CertificationEntry

CERTIFY = Action.DOSSIER_SIGN
READ = (Action.DOSSIER_VIEW, Action.DOSSIER_SIGN)
# Agencies that keep a book of certified copies (chứng thực bản sao từ bản chính).
CERTIFYING_KINDS = frozenset({AgencyKind.COMMUNE_PC})


@scope_of.register
def _scope_of_entry(target: CertificationEntry) -> Scope:
    return Scope(agencies=((target.agency_id, target.agency.path),))


def may_certify(user: User | None, agency: Agency) -> bool:
    return (
        agency is not None
        and agency.kind in CERTIFYING_KINDS
        and agency.is_active
        and can(user, CERTIFY, agency)
    )


def may_read(user: User | None, agency: Agency) -> bool:
    return agency.kind in CERTIFYING_KINDS and any(can(user, a, agency) for a in READ)


def certifying_agencies(user: User | None) -> QuerySet[Agency]:
    """The agencies where `user` may certify copies (the form's choices, the menu)."""
    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    return (
        agencies_where(user, CERTIFY)
        .filter(kind__in=CERTIFYING_KINDS, is_active=True)
        .order_by("name")
    )


def readable_agencies(user: User | None) -> QuerySet[Agency]:
    """The agencies whose book `user` may read."""
    if user is None or not user.is_authenticated:
        return Agency.objects.none()
    either = agencies_where(user, READ[0]) | agencies_where(user, READ[1])
    return either.filter(kind__in=CERTIFYING_KINDS).distinct().order_by("name")
