"""Reads for the organization tree."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.authz import agencies_where, can
from motcua.accounts.constants import Action
from motcua.core.errors import InvalidInput, NotFound
from motcua.core.schemas import BIGINT_MAX
from motcua.core.textnorm import fold

from .models import Agency, AgencyKind

# The revision (core.revisions) the agency services bump: cached routing holds agencies and desks.
REVISION = "organizations"


def agency_get_by_code(code: str) -> Agency:
    try:
        return Agency.objects.select_related("province", "commune", "parent").get(code=code)
    except Agency.DoesNotExist:
        raise NotFound(_("No agency has the identifier %(code)s.") % {"code": code}) from None


def agency_by_ref(ref: int | str | None, field: str) -> Agency | None:
    """An agency named in an API request by electronic identifier or id; an unknown one is an
    error on the field that named it."""
    if ref is None or ref == "":
        return None
    # ASCII digits only: str.isdigit() also takes "²" or "١", which int() refuses.
    if isinstance(ref, int) or (ref.isascii() and ref.isdigit()):
        # An id beyond the bigint column names no agency (and SQLite cannot even bind it).
        pk = int(ref) if isinstance(ref, int) or len(ref) <= 19 else None
        agency = None
        if pk is not None and pk <= BIGINT_MAX:
            agency = Agency.objects.select_related("province").filter(pk=pk).first()
        if agency is None:
            raise InvalidInput(
                _("The request has errors."),
                errors={field: [_("No agency has the id %(id)s.") % {"id": ref}]},
            )
        return agency
    try:
        return agency_get_by_code(ref)
    except NotFound as exc:
        raise InvalidInput(_("The request has errors."), errors={field: [exc.message]}) from None


def agency_get(*, user, agency_id: int) -> Agency:
    """An agency the user may view; another province's agency is simply not found."""
    agency = Agency.objects.select_related("province", "commune", "parent").filter(pk=agency_id)
    agency = agency.first()
    if agency is None or not can(user, Action.AGENCY_VIEW, agency):
        raise NotFound(_("Agency not found."))
    return agency


def agency_list(*, user, query: str = "", kind: str = "") -> QuerySet[Agency]:
    """Agencies the user may view, in tree order, optionally filtered by name/code and kind."""
    agencies = agencies_where(user, Action.AGENCY_VIEW).select_related(
        "province", "commune", "parent"
    )
    if query:
        folded = fold(query)
        agencies = agencies.filter(name_folded__contains=folded) | agencies.filter(code=query)
    if kind:
        agencies = agencies.filter(kind=kind)
    return agencies.order_by("path")


def agency_subtree(agency: Agency) -> QuerySet[Agency]:
    return Agency.objects.filter(path__startswith=agency.path).order_by("path")


# The kinds that are an agency in their own right (cơ quan); the others (units, one-stop units,
# desks) belong to the nearest of these above them.
AGENCY_KINDS = {
    AgencyKind.PROVINCE_PC,
    AgencyKind.DEPARTMENT,
    AgencyKind.SERVICE_CENTER,
    AgencyKind.COMMUNE_PC,
    AgencyKind.OTHER,
}


def governing_agency_id(agency: Agency) -> int:
    """The agency a place belongs to: itself when it is an agency, else its nearest ancestor
    that is one (one query over the materialized path)."""
    if agency.kind in AGENCY_KINDS:
        return agency.pk
    ids = [int(x) for x in agency.path.strip("/").split("/") if x]
    kinds = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "kind"))
    for pk in reversed(ids):
        if kinds.get(pk) in AGENCY_KINDS:
            return pk
    return agency.pk
