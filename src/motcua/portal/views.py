"""Citizen pages of the procedure catalog: search and browse, one procedure, its form templates.

Every read goes through `catalog.selectors`; these views parse the query string, call them and
render. All pages work without JavaScript: search, filters and the commune picker are GET forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from motcua.catalog.competence import CompetenceIndex, Resolution
from motcua.catalog.constants import Channel, Level, OnlineLevel
from motcua.catalog.exports import full_online_list_xlsx
from motcua.catalog.models import Fee, ProcedureVersion, ProcessingTime
from motcua.catalog.selectors import (
    competent_agency_list,
    field_list,
    form_template_get,
    full_online_list_get,
    life_event_list,
    procedure_public_get,
    procedure_search,
)
from motcua.catalog.views import form_template_response, xlsx_response
from motcua.core.errors import NotFound
from motcua.organizations.models import Agency
from motcua.territory.models import Commune

PAGE_SIZE = 20

# Query-string names, Vietnamese like the paths: /thu-tuc/?q=khai+sinh&linh_vuc=G15-TP07
Q, FIELD, AGENCY, LEVEL, ONLINE, EVENT, PAGE, COMMUNE = (
    "q",
    "linh_vuc",
    "co_quan",
    "cap",
    "muc_do",
    "su_kien",
    "trang",
    "xa",
)


@dataclass(frozen=True)
class SearchParams:
    """The list page's query string, checked: unknown choices are dropped, not errors."""

    query: str = ""
    field_code: str = ""
    agency: Agency | None = None
    level: str = ""
    online_level: str = ""
    life_event: str = ""

    @property
    def filtered(self) -> bool:
        return bool(
            self.query
            or self.field_code
            or self.agency
            or self.level
            or self.online_level
            or self.life_event
        )


def _search_params(data: QueryDict, agencies: list[Agency]) -> SearchParams:
    agency_id = data.get(AGENCY, "").strip()
    level = data.get(LEVEL, "").strip()
    online_level = data.get(ONLINE, "").strip()
    return SearchParams(
        query=data.get(Q, "").strip()[:200],
        field_code=data.get(FIELD, "").strip()[:40],
        agency=next((a for a in agencies if str(a.pk) == agency_id), None),
        level=level if level in Level.values else "",
        online_level=online_level if online_level in OnlineLevel.values else "",
        life_event=data.get(EVENT, "").strip()[:60],
    )


def _online_url(code: str) -> str:
    """Where a citizen submits this procedure online: its page on the national portal
    (NATIONAL_PORTAL_PROCEDURE_URL with {code}); empty when the installation sets none."""
    pattern = settings.NATIONAL_PORTAL_PROCEDURE_URL
    return pattern.format(code=quote(code)) if pattern else ""


@require_safe
def procedure_list(request: HttpRequest) -> HttpResponse:
    """Tra cứu thủ tục hành chính: search, filters, and browsing by field, life event, agency."""
    fields = list(field_list())
    events = list(life_event_list())
    agencies = list(competent_agency_list())
    params = _search_params(request.GET, agencies)
    results = procedure_search(
        query=params.query,
        field_code=params.field_code,
        agency=params.agency,
        level=params.level,
        online_level=params.online_level,
        life_event=params.life_event,
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get(PAGE))
    return render(
        request,
        "portal/procedure_list.html",
        {
            "params": params,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
            "show_browse": not params.filtered and page.number == 1,
            "fields": fields,
            "life_events": events,
            "agencies": agencies,
            "levels": Level.choices,
            "online_levels": OnlineLevel.choices,
        },
    )


def _list_with(**filters: str) -> HttpResponse:
    return redirect(f"{reverse('portal:procedures')}?{urlencode(filters)}")


@require_safe
def field_browse(request: HttpRequest, code: str) -> HttpResponse:
    """/thu-tuc/linh-vuc/<code>/: the list filtered by field (one canonical list page)."""
    return _list_with(**{FIELD: code})


@require_safe
def life_event_browse(request: HttpRequest, code: str) -> HttpResponse:
    """/thu-tuc/su-kien/<code>/: the list filtered by life event."""
    return _list_with(**{EVENT: code})


@dataclass(frozen=True)
class ChannelRow:
    """One row of "Cách thức thực hiện": a channel with the times and fees that apply to it."""

    channel: str
    label: str
    times: list[ProcessingTime]
    fees: list[Fee]

    @property
    def online(self) -> bool:
        return self.channel == Channel.ONLINE


def _channel_rows(version: ProcedureVersion, channels: list[str]) -> list[ChannelRow]:
    # A time or fee without a channel applies to every channel (catalog.content.TimeItem).
    times = list(version.times.all())
    fees = list(version.fees.all())
    return [
        ChannelRow(
            channel=channel,
            label=str(Channel(channel).label),
            times=[t for t in times if t.channel in {"", channel}],
            fees=[f for f in fees if f.channel in {"", channel}],
        )
        for channel in channels
        if channel in Channel.values
    ]


@dataclass(frozen=True)
class Desk:
    """A desk as citizens need it: where it is and how to call it."""

    name: str
    part_of: str
    address: str
    phone: str


def _desks(index: CompetenceIndex, resolution: Resolution) -> list[Desk]:
    if resolution.competence is None:
        return []
    desks = []
    for desk in resolution.competence.desks:
        # The index holds every active agency, so the parent costs no query.
        parent = index.agencies.get(desk.parent_id)
        desks.append(
            Desk(
                name=desk.name,
                part_of=parent.name if parent and parent.kind != desk.kind else "",
                address=desk.address or (parent.address if parent else ""),
                phone=desk.phone or (parent.phone if parent else ""),
            )
        )
    return desks


def _communes(ids: list[int]) -> list[Commune]:
    """The communes and wards the province has set up, in alphabetical order."""
    return list(
        Commune.objects.filter(pk__in=ids)
        .select_related("province")
        .order_by("province_id", "name_folded")
    )


@require_safe
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Chi tiết thủ tục: everything a citizen needs before submitting, and where to submit."""
    try:
        public = procedure_public_get(code)
    except NotFound:
        raise Http404(code) from None
    procedure, version, content = public.procedure, public.version, public.content
    index = CompetenceIndex.load([procedure])
    communes = _communes(index.localities())
    chosen = request.GET.get(COMMUNE, "").strip()
    commune = next((c for c in communes if str(c.pk) == chosen), None)
    resolution = index.resolve(procedure.pk, commune.pk if commune else None)
    if commune is None and resolution.competence is None:
        # Without a commune only a province-wide named agency can answer; otherwise ask.
        resolution = Resolution()
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "procedure": procedure,
            "version": version,
            "content": content,
            "upcoming": public.upcoming,
            "channel_rows": _channel_rows(version, content.channels),
            "components": list(version.components.all()),
            "legal_bases": list(version.legal_bases.all()),
            "online": Channel.ONLINE in content.channels,
            "online_url": _online_url(procedure.code),
            "communes": communes,
            "several_provinces": len({c.province_id for c in communes}) > 1,
            "commune": commune,
            "commune_invalid": bool(chosen) and commune is None,
            "commune_param": COMMUNE,
            "resolution": resolution,
            "desks": _desks(index, resolution),
        },
    )


@require_safe
def form_template_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Tải mẫu đơn, tờ khai: the template file as stored, as an attachment."""
    try:
        template = form_template_get(pk)
    except NotFound:
        raise Http404(str(pk)) from None
    return form_template_response(template)


@require_safe
def full_online(request: HttpRequest) -> HttpResponse:
    """Danh mục DVC trực tuyến toàn trình: the province's latest approved list (R25)."""
    try:
        decision = full_online_list_get()
    except NotFound:
        decision = None
    return render(
        request,
        "portal/full_online.html",
        {
            "decision": decision,
            "procedures": list(decision.procedures.all()) if decision else [],
            "export_url": reverse("portal:full_online_export", args=[decision.pk])
            if decision
            else "",
        },
    )


@require_safe
def full_online_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The full-online list as the decision's annex (.xlsx): public, like the decision."""
    try:
        decision = full_online_list_get(pk)
    except NotFound:
        raise Http404(str(pk)) from None
    filename = f"danh-muc-toan-trinh-{decision.decision_number}.xlsx".replace("/", "-")
    return xlsx_response(full_online_list_xlsx(decision), filename)
