"""Reads for administrative units: look-up by code and by name, with or without diacritics."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.core.errors import NotFound
from motcua.core.textnorm import fold

from .models import Commune, DataLoad, Province


@dataclass(frozen=True)
class UnitMatch:
    level: str  # "province" | "commune"
    code: int
    name: str
    province_code: int
    province_name: str


def province_list() -> list[Province]:
    return list(Province.objects.order_by("code"))


def province_get(code: int) -> Province:
    try:
        return Province.objects.get(pk=code)
    except Province.DoesNotExist:
        raise NotFound(_("No province has code %(code)s.") % {"code": code}) from None


def commune_get(code: int) -> Commune:
    try:
        return Commune.objects.select_related("province").get(pk=code)
    except Commune.DoesNotExist:
        raise NotFound(_("No commune or ward has code %(code)s.") % {"code": code}) from None


def commune_list(*, province_code: int) -> list[Commune]:
    return list(Commune.objects.filter(province_id=province_code).order_by("name"))


def _words_filter(query: str) -> Q:
    condition = Q()
    for word in query.split():
        condition &= Q(name_folded__contains=word)
    return condition


_KIND_PREFIXES = ("tinh ", "thanh pho ", "xa ", "phuong ", "dac khu ")


def _rank(name: str, folded_name: str, query: str, raw: str) -> tuple[int, int, int, str]:
    # Exact name first (with or without "Phường"/"Xã"/…), then names starting with the query,
    # then a word-prefix match, then anything holding every word. Ties go to names that also
    # match the diacritics the user typed ("Mỹ Tho" before "Mỹ Thọ"), then to shorter names.
    bare = next((folded_name[len(p) :] for p in _KIND_PREFIXES if folded_name.startswith(p)), None)
    if query in (folded_name, bare):
        tier = 0
    elif folded_name.startswith(query) or (bare or "").startswith(query):
        tier = 1
    elif f" {query}" in f" {folded_name}":
        tier = 2
    else:
        tier = 3
    exact_marks = 0 if raw in name.lower() else 1
    return tier, exact_marks, len(folded_name), folded_name


def unit_search(
    query: str, *, province_code: int | None = None, limit: int = 20
) -> list[UnitMatch]:
    """Provinces and communes whose name holds every word of `query`, diacritics ignored.

    "dong thap" finds "Đồng Tháp"; "phuong my tho" finds "Phường Mỹ Tho". A number is read as a
    unit code. Best matches first.
    """
    folded = fold(query)
    raw = " ".join(query.lower().split())
    if not folded:
        return []
    if folded.isascii() and folded.isdigit():
        # A code beyond the integer column is no unit's (and SQLite cannot even bind it).
        code = int(folded) if len(folded) <= 10 else -1
        provinces = Province.objects.filter(pk=code)
        communes = Commune.objects.filter(pk=code)
    else:
        provinces = Province.objects.filter(_words_filter(folded))
        communes = Commune.objects.filter(_words_filter(folded))
    if province_code is not None:
        provinces = provinces.filter(pk=province_code)
        communes = communes.filter(province_id=province_code)
    matches = [
        (
            _rank(p.name, p.name_folded, folded, raw),
            UnitMatch("province", p.code, p.full_name, p.code, p.full_name),
        )
        for p in provinces[: limit * 5]
    ]
    matches += [
        (
            _rank(c.name, c.name_folded, folded, raw),
            UnitMatch("commune", c.code, c.name, c.province_id, c.province.full_name),
        )
        for c in communes.select_related("province")[: limit * 5]
    ]
    matches.sort(key=lambda pair: pair[0])
    return [match for _rank_key, match in matches[:limit]]


def latest_data_load() -> DataLoad | None:
    return DataLoad.objects.order_by("-loaded_at", "-pk").first()
