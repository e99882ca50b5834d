"""Agencies API: read what you may view, write what you may manage."""

from ninja import Router, Schema, Status

from motcua.core.schemas import (
    CommuneCode,
    Id,
    ProvinceCode,
    SearchText,
    Unchanged,
    column,
)
from motcua.territory.models import Commune, Province
from motcua.territory.selectors import commune_get

from . import selectors, services
from .models import Agency

router = Router()


class AgencyOut(Schema):
    id: int
    code: str | None
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    province_id: int
    commune_id: int | None
    address: str
    phone: str
    email: str
    is_active: bool
    depth: int


class AgencyIn(Schema):
    kind: column(Agency, "kind")
    name: column(Agency, "name")
    parent_id: Id | None = None
    province_code: ProvinceCode | None = None
    code: column(Agency, "code") | None = None
    commune_code: CommuneCode | None = None
    short_name: column(Agency, "short_name") = ""
    address: column(Agency, "address") = ""
    phone: column(Agency, "phone") = ""
    email: column(Agency, "email") = ""


class AgencyPatch(Schema):
    """Only the fields sent change; null clears the identifier, the parent or the commune."""

    name: column(Agency, "name") = Unchanged()
    short_name: column(Agency, "short_name") = Unchanged()
    code: column(Agency, "code") | None = Unchanged()
    kind: column(Agency, "kind") = Unchanged()
    parent_id: Id | None = Unchanged()
    commune_code: CommuneCode | None = Unchanged()
    address: column(Agency, "address") = Unchanged()
    phone: column(Agency, "phone") = Unchanged()
    email: column(Agency, "email") = Unchanged()
    is_active: bool = Unchanged()


def _commune(code: int | None) -> Commune | None:
    return commune_get(code) if code is not None else None


@router.get("", response=list[AgencyOut])
def list_agencies(request, q: SearchText = "", kind: SearchText = ""):
    return selectors.agency_list(user=request.user, query=q, kind=kind)


@router.get("/{agency_id}", response=AgencyOut)
def get_agency(request, agency_id: Id):
    return selectors.agency_get(user=request.user, agency_id=agency_id)


@router.post("", response={201: AgencyOut})
def create_agency(request, payload: AgencyIn):
    parent = None
    if payload.parent_id is not None:
        parent = selectors.agency_get(user=request.user, agency_id=payload.parent_id)
    province = Province.objects.filter(pk=payload.province_code).first()
    agency = services.agency_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        parent=parent,
        province=province,
        code=payload.code,
        commune=_commune(payload.commune_code),
        short_name=payload.short_name,
        address=payload.address,
        phone=payload.phone,
        email=payload.email,
    )
    return Status(201, agency)


@router.patch("/{agency_id}", response=AgencyOut)
def update_agency(request, agency_id: Id, payload: AgencyPatch):
    agency = selectors.agency_get(user=request.user, agency_id=agency_id)
    changes = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        parent_id = changes.pop("parent_id")
        changes["parent"] = (
            selectors.agency_get(user=request.user, agency_id=parent_id) if parent_id else None
        )
    if "commune_code" in changes:
        changes["commune"] = _commune(changes.pop("commune_code"))
    return services.agency_update(actor=request.user, agency=agency, **changes)
