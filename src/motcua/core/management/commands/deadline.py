"""Print a deadline: `manage.py deadline --start 2026-02-13T10:00 --working-days 5`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import NotFound
from motcua.core.selectors import calendar_for
from motcua.core.workcalendar import DAYS, MONTHS, WORKING_DAYS, WORKING_HOURS, parse_moment
from motcua.organizations.selectors import agency_get_by_code


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CommandError(f"Not a whole number: {text!r}.") from None
    if value < 0:
        raise CommandError(f"The amount must be zero or more, not {value}.")
    return value


def _hours(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"Not a number of hours: {text!r} (e.g. 4 or 1.5).") from None
    if not value.is_finite() or value < 0:
        raise CommandError(f"The number of hours must be zero or more, not {text}.")
    return value


class Command(BaseCommand):
    help = (
        "Compute a deadline on the working-time calendar and print it in ISO 8601 with its "
        "offset. A start without offset is Asia/Ho_Chi_Minh time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="e.g. 2026-02-13T10:00")
        amount = parser.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-days", type=_whole, metavar="N")
        amount.add_argument("--working-hours", type=_hours, metavar="N")
        amount.add_argument("--days", type=_whole, metavar="N")
        amount.add_argument("--months", type=_whole, metavar="N")
        parser.add_argument("--agency", metavar="CODE", help="electronic identifier")
        parser.add_argument("--cutoff", metavar="HH:MM", help="same-day cut-off (working days)")

    def handle(self, *args, **options) -> None:
        try:
            start = parse_moment(options["start"])
        except ValueError:
            raise CommandError(
                f"--start must be an ISO 8601 date-time such as 2026-02-13T10:00, "
                f"not {options['start']!r}."
            ) from None
        units = {
            "working_days": WORKING_DAYS,
            "working_hours": WORKING_HOURS,
            "days": DAYS,
            "months": MONTHS,
        }
        given = [(units[o], options[o]) for o in units if options.get(o) is not None]
        if len(given) != 1:  # argparse's required group normally stops this earlier
            raise CommandError("Give one of --working-days, --working-hours, --days, --months.")
        ((unit, amount),) = given
        cutoff = None
        if options.get("cutoff"):
            try:
                cutoff = dt.time.fromisoformat(options["cutoff"])
            except ValueError:
                raise CommandError(
                    f"--cutoff must be a time such as 15:00, not {options['cutoff']!r}."
                ) from None
        agency = None
        if options.get("agency"):
            try:
                agency = agency_get_by_code(options["agency"])
            except NotFound as exc:
                raise CommandError(str(exc.message)) from None
        try:
            due = calendar_for(agency).add(start, amount, unit, cutoff=cutoff)
        except (ValueError, OverflowError) as exc:
            raise CommandError(f"Cannot compute this deadline: {exc}") from None
        self.stdout.write(due.isoformat())
