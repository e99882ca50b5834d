"""Dossier codes: `<receiving agency identifier>-<yyMMdd>-<sequence>` (DOMAIN.md decision 3).

The sequence is per agency and day, at least four digits, never reused, and allocated with one
upsert on that agency's counter row for the day: concurrent receptions at different desks never
wait for each other, and two at the same desk queue only on their own row.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from motcua.core.errors import Conflict
from motcua.organizations.models import Agency

from .models import CodeCounter


def _next_sequence(agency_id: int, day: dt.date) -> int:
    table = connection.ops.quote_name(CodeCounter._meta.db_table)
    with connection.cursor() as cursor:
        # INSERT … ON CONFLICT … RETURNING: PostgreSQL and SQLite (≥ 3.35) alike.
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency_id, day],
        )
        return cursor.fetchone()[0]


def identified_unit(agency: Agency) -> Agency:
    """The unit whose electronic identifier codes the dossiers `agency` receives: itself when it
    has one, else its nearest ancestor that has (DOMAIN.md decision 3: a desk without its own
    identifier numbers within its centre's or its agency's daily sequence)."""
    if agency.code:
        return agency
    ids = agency.path_ids()
    coded = {a.pk: a for a in Agency.objects.filter(pk__in=ids).exclude(code="").exclude(code=None)}
    for pk in reversed(ids):
        if pk in coded:
            return coded[pk]
    raise Conflict(
        _(
            "%(agency)s and the agencies above it have no electronic identifier: an "
            "administrator must set one before it can receive dossiers."
        )
        % {"agency": agency.name},
        code="no_identifier",
    )


def code_allocate(agency: Agency, at_local: dt.datetime) -> str:
    """The next code for dossiers received at `agency` on the local day of `at_local`
    (Asia/Ho_Chi_Minh), from the daily sequence of its identified unit."""
    day = at_local.date()
    unit = identified_unit(agency)
    sequence = _next_sequence(unit.pk, day)
    return settings.DOSSIER_CODE_PATTERN.format(
        agency=unit.code, date=day.strftime("%y%m%d"), seq=sequence
    )


def sandbox_code() -> str:
    """A test dossier's code: `KT-` and random hex, outside every agency's sequence (a test-run
    never takes a number the national portal would see missing)."""
    return f"KT-{secrets.token_hex(8)}"
