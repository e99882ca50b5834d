"""Writes for administrative units: only the loader changes them."""

from __future__ import annotations

from dataclasses import dataclass

import vietnam_provinces
from django.db import transaction
from vietnam_provinces import Province as PkgProvince
from vietnam_provinces import VietNamDivisionType
from vietnam_provinces import Ward as PkgWard

from motcua.core.textnorm import fold

from .models import Commune, DataLoad, Province

SOURCE = "vietnam-provinces"

_PROVINCE_KIND = {
    VietNamDivisionType.TINH: Province.Kind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: Province.Kind.CITY,
}
_COMMUNE_KIND = {
    VietNamDivisionType.XA: Commune.Kind.COMMUNE,
    VietNamDivisionType.PHUONG: Commune.Kind.WARD,
    VietNamDivisionType.DAC_KHU: Commune.Kind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    communes: int
    created: int
    updated: int
    data_version: str
    data_load: DataLoad | None


def _sync(model, wanted: dict[int, dict]) -> tuple[int, int]:
    """Create missing rows and update changed ones; untouched rows are not written."""
    existing = {obj.pk: obj for obj in model.objects.all()}
    to_create, to_update, fields = [], [], set()
    for pk, values in wanted.items():
        obj = existing.get(pk)
        if obj is None:
            to_create.append(model(pk=pk, **values))
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields.update(changed)
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    return len(to_create), len(to_update)


def territory_load() -> LoadResult:
    """Load or refresh all provinces and communes from the package; idempotent.

    A run that finds nothing to change writes nothing, not even a DataLoad row, so running it
    twice changes nothing. Units are never deleted here: dossiers and agencies refer to them,
    and a unit that disappears from the package must be retired by a reviewed migration.
    """
    provinces = {
        int(p.code): {
            "name": p.name,
            "kind": _PROVINCE_KIND[p.division_type],
            "codename": p.codename,
            "phone_code": p.phone_code,
            "name_folded": fold(p.name),
        }
        for p in PkgProvince.iter_all()
    }
    communes = {
        int(w.code): {
            "name": w.name,
            "kind": _COMMUNE_KIND[w.division_type],
            "codename": w.codename,
            "province_id": int(w.province_code),
            "name_folded": fold(w.name),
        }
        for w in PkgWard.iter_all()
    }
    with transaction.atomic():
        p_created, p_updated = _sync(Province, provinces)
        c_created, c_updated = _sync(Commune, communes)
        created, updated = p_created + c_created, p_updated + c_updated
        data_load = None
        if created or updated:
            data_load = DataLoad.objects.create(
                source=SOURCE,
                package_version=vietnam_provinces.__version__,
                data_version=vietnam_provinces.__data_version__,
                provinces=len(provinces),
                communes=len(communes),
                created=created,
                updated=updated,
            )
    return LoadResult(
        provinces=len(provinces),
        communes=len(communes),
        created=created,
        updated=updated,
        data_version=vietnam_provinces.__data_version__,
        data_load=data_load,
    )
