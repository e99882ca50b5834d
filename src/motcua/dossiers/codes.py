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


def code_allocate(agency: Agency, at_local: dt.datetime) -> str:
    """The next code for `agency` on the local day of `at_local` (Asia/Ho_Chi_Minh)."""
    day = at_local.date()
    sequence = _next_sequence(agency.pk, day)
    identifier = agency.code or f"{agency.pk:03d}.00.00.X00"
    return settings.DOSSIER_CODE_PATTERN.format(
        agency=identifier, date=day.strftime("%y%m%d"), seq=sequence
    )


def sandbox_code() -> str:
    """A test dossier's code: `KT-` and random hex, outside every agency's sequence (a test-run
    never takes a number the national portal would see missing)."""
    return f"KT-{secrets.token_hex(8)}"
