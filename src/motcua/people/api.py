"""Look-ups in the national registers through the API (/api/v1/registers/…): the same
services as the desk's button. A register that does not answer is outcome "unavailable"
(HTTP 200), not an error: the caller carries on by hand."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from .models import Purpose
from .services import LookupResult, business_lookup, citizen_lookup

router = Router(tags=["registers"])


class CitizenIn(Schema):
    id_number: str
    procedure_code: str = ""


class BusinessIn(Schema):
    tax_code: str
    procedure_code: str = ""


class LookupOut(Schema):
    source: str
    outcome: str
    message: str
    number: str
    name: str
    address: str
    commune_code: int | None
    email: str
    detail: dict | None


def _out(result: LookupResult) -> dict:
    return {
        "source": result.register,
        "outcome": result.outcome,
        "message": result.message,
        "number": result.number,
        "name": result.name,
        "address": result.address,
        "commune_code": result.commune_code,
        "email": result.email,
        "detail": result.detail,
    }


@router.post("/citizens/lookup", response=LookupOut)
def citizen_lookup_api(request: HttpRequest, body: CitizenIn):
    """Tra cứu CSDL quốc gia về dân cư by identity number (officials who receive dossiers)."""
    return _out(
        citizen_lookup(
            actor=request.user,
            id_number=body.id_number,
            procedure_code=body.procedure_code,
            purpose=Purpose.API,
        )
    )


@router.post("/businesses/lookup", response=LookupOut)
def business_lookup_api(request: HttpRequest, body: BusinessIn):
    """Tra cứu đăng ký doanh nghiệp by tax code (officials who receive dossiers)."""
    return _out(
        business_lookup(
            actor=request.user,
            tax_code=body.tax_code,
            procedure_code=body.procedure_code,
            purpose=Purpose.API,
        )
    )
