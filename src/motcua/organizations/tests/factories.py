"""Organization factories: agencies, made by `organizations.services.agency_create` (its
validation, path and audit entry), as the superuser unless an `actor` is given."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from motcua.accounts.tests.factories import SuperuserFactory
from motcua.organizations.models import Agency, AgencyKind
from motcua.organizations.services import agency_create
from motcua.territory.models import Province

# The demo province, Đồng Tháp (82), letter group H20 of electronic identifiers.
PROVINCE = 82


class ProvinceRootFactory(DjangoModelFactory):
    """A province's People's Committee, the root of its tree (the existing one if any)."""

    class Meta:
        model = Agency

    class Params:
        group = "H20"

    actor = factory.SubFactory(SuperuserFactory)
    kind = AgencyKind.PROVINCE_PC
    province = factory.LazyFunction(lambda: Province.objects.get(pk=PROVINCE))
    name = factory.LazyAttribute(lambda o: f"UBND {o.province.name}")
    code = factory.LazyAttribute(lambda o: f"000.00.00.{o.group}")

    @classmethod
    def _create(cls, model_class, *, actor, province, **kwargs: Any) -> Agency:
        root = Agency.objects.filter(
            province=province, parent__isnull=True, kind=AgencyKind.PROVINCE_PC
        ).first()
        return root or agency_create(actor=actor, province=province, **kwargs)


class AgencyFactory(DjangoModelFactory):
    """An agency under `parent` (by default a department of the province's People's
    Committee). Traits: `desk` (a counter, no electronic identifier)."""

    class Meta:
        model = Agency

    class Params:
        desk = factory.Trait(kind=AgencyKind.DESK, code=None)

    actor = factory.SubFactory(SuperuserFactory)
    kind = AgencyKind.DEPARTMENT
    parent = factory.SubFactory(ProvinceRootFactory)
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    # DDD.CC.BB.A##: numbered from 900 to stay clear of the codes tests spell out.
    code = factory.Sequence(lambda n: f"{900 + n // 100:03d}.00.{n % 100:02d}.H20")
    commune = None

    @classmethod
    def _create(cls, model_class, *, actor, **kwargs: Any) -> Agency:
        return agency_create(actor=actor, **kwargs)
