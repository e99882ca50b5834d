"""Public read API for administrative units."""

from typing import Annotated

from ninja import Router, Schema
from pydantic import Field

from motcua.core.schemas import CommuneCode, ProvinceCode, SearchText

from . import selectors

router = Router(auth=None)


class ProvinceOut(Schema):
    code: int
    name: str
    full_name: str
    kind: str


class CommuneOut(Schema):
    code: int
    name: str
    kind: str
    province_id: int


class UnitMatchOut(Schema):
    level: str
    code: int
    name: str
    province_code: int
    province_name: str


@router.get("/provinces", response=list[ProvinceOut])
def list_provinces(request):
    return selectors.province_list()


@router.get("/provinces/{code}", response=ProvinceOut)
def get_province(request, code: ProvinceCode):
    return selectors.province_get(code)


@router.get("/provinces/{code}/communes", response=list[CommuneOut])
def list_communes(request, code: ProvinceCode):
    selectors.province_get(code)
    return selectors.commune_list(province_code=code)


@router.get("/communes/{code}", response=CommuneOut)
def get_commune(request, code: CommuneCode):
    return selectors.commune_get(code)


@router.get("/search", response=list[UnitMatchOut])
def search_units(
    request,
    q: SearchText,
    province: ProvinceCode | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
):
    """Find provinces and communes by name, with or without diacritics, or by code."""
    return selectors.unit_search(q, province_code=province, limit=limit)
