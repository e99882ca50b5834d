"""The desk's list from its query string (/ho-so/?the=cua-toi&kenh=online&qua_han=1): one
parse for the page and for its .xlsx export (`exports.kinds.WorklistExport`), so the file holds
exactly the rows the official was looking at."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from motcua.core.errors import InvalidInput

from . import selectors
from .constants import TERMINAL, Channel, Status

# Query-string names, Vietnamese like the paths.
Q, STATUS, MINE, PAGE, PROCEDURE = "q", "trang_thai", "cua_toi", "trang", "thu_tuc"
# Closed dossiers (đã kết thúc) received from day tu_ngay to den_ngay.
CLOSED, SINCE, UNTIL = "da_ket_thuc", "tu_ngay", "den_ngay"

# The desk's tabs in the address (?the=cua-toi); "tat-ca" is every open dossier one may see.
TAB = "the"
TAB_SLUGS = {
    "cho-tiep-nhan": selectors.TAB_TO_RECEIVE,
    "cua-toi": selectors.TAB_MINE,
    "cho-phan-cong": selectors.TAB_TO_ASSIGN,
    "sap-den-han": selectors.TAB_NEAR,
    "qua-han": selectors.TAB_LATE,
    "cho-tra-ket-qua": selectors.TAB_TO_RETURN,
    "tat-ca": "",
}
SLUG_OF = {key: slug for slug, key in TAB_SLUGS.items()}
# The worklist's filters in the address.
FIELD, CHANNEL, OVERDUE = "linh_vuc", "kenh", "qua_han"
RECEIVED_FROM, RECEIVED_TO, DUE_FROM, DUE_TO = "nhan_tu", "nhan_den", "hen_tu", "hen_den"
FILTER_PARAMS = (PROCEDURE, FIELD, CHANNEL, RECEIVED_FROM, RECEIVED_TO, DUE_FROM, DUE_TO, OVERDUE)


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 18 else None


PARAMS = (Q, STATUS, MINE, CLOSED, SINCE, UNTIL, TAB, *FILTER_PARAMS)


def worklist_params(get) -> dict[str, Any]:
    """The desk's list from its query string (tab, status, search, period, filters), for the
    page and its .xlsx export alike; bad values are dropped or reported in "errors"."""
    status = get.get(STATUS, "").strip()
    status = status if status in Status.values else ""
    query = get.get(Q, "").strip()[:100]
    closed = get.get(CLOSED) == "1" or status in TERMINAL
    errors: list[str] = []
    procedure_id = None
    procedure_code = get.get(PROCEDURE, "").strip()[:60]
    if procedure_code:
        procedure_id = selectors.procedure_id_by_code(procedure_code)
        if procedure_id is None:
            errors.append(_("No procedure has the code %(code)s.") % {"code": procedure_code})
    channel = get.get(CHANNEL, "").strip()
    try:
        filters = selectors.Filters(
            procedure_id=procedure_id,
            field_id=_int(get.get(FIELD, "")),
            channel=channel if channel in Channel.values else "",
            received_from=_day(get.get(RECEIVED_FROM, "")),
            received_to=_day(get.get(RECEIVED_TO, "")),
            due_from=_day(get.get(DUE_FROM, "")),
            due_to=_day(get.get(DUE_TO, "")),
            overdue=get.get(OVERDUE) == "1",
        )
    except InvalidInput as e:
        errors.append(e.message)
        filters = selectors.Filters(procedure_id=procedure_id)
    slug = get.get(TAB, "").strip()
    if get.get(MINE) == "1":  # the list's former "only my work" box
        slug = "cua-toi"
    searching = bool(status or query or closed or filters.any or procedure_code)
    # "My work" is the desk's default; a search or a filter looks at everything one sees.
    if slug not in TAB_SLUGS:
        slug = "tat-ca" if searching else "cua-toi"
    tab = "" if closed else TAB_SLUGS[slug]
    return {
        "status": status,
        "query": query,
        "closed": closed,
        "tab": tab,
        "slug": "" if closed else slug,
        "filters": filters,
        "procedure_code": procedure_code,
        "errors": errors,
        "searching": searching,
    }


def worklist_queryset(user, get, *, now: dt.datetime, today: dt.date):
    """The rows of the desk's list for this query string (closed ones for their period), in
    the list's order, with the parsed parameters."""
    p = worklist_params(get)
    period_errors: list[str] = []
    period = None
    if p["closed"]:
        since, until = _day(get.get(SINCE, "")), _day(get.get(UNTIL, ""))
        try:
            period = selectors.closed_period(since, until, today=today)
        except InvalidInput as e:
            period_errors.append(e.message)
            period = selectors.closed_period(None, None, today=today)
    qs = selectors.dossiers_worklist(
        user=user,
        status=p["status"] or None,
        query=p["query"],
        closed=p["closed"],
        period=period,
        tab=p["tab"],
        filters=p["filters"],
        now=now,
    )
    return qs, {**p, "period": period, "period_errors": period_errors}
