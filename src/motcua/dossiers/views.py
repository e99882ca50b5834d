"""The officials' dossier pages (/ho-so/): their list, reception at the desk, one dossier.

Each view parses a form, calls one selector or service and renders; the rules live in
`services` (writes) and `selectors` (reads, permissions). Everything works without JavaScript:
filters are GET forms, every action is a POST form that redirects back to the dossier page
(POST-redirect-GET) and carries the version the official saw, so a dossier changed by someone
else in the meantime is reported, not overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from motcua.accounts.models import User
from motcua.catalog.constants import Requirement
from motcua.catalog.selectors import procedure_public_get, procedure_search
from motcua.core.errors import Conflict, DomainError, InvalidInput, NotFound
from motcua.core.idempotency import once_token
from motcua.core.keyset import Page, capped_count, keyset_page
from motcua.people import services as people
from motcua.printing.forms import FormNotAvailable, form_for
from motcua.territory.selectors import commune_list
from motcua.workflows.constants import StepAction
from motcua.workflows.diagram import definition_svg

from . import selectors, services
from .constants import (
    CLOCK_RUNNING,
    ApplicantKind,
    Channel,
    EventKind,
    Status,
    Timeliness,
)
from .deadlines import Deadlines
from .forms import (
    ActForm,
    ApologyForm,
    AssignForm,
    ComponentFormSet,
    ConsultAnswerForm,
    PaymentRequestForm,
    ReasonForm,
    ReceiveForm,
    RefuseForm,
    ResultDraftForm,
    ReturnForm,
    StopForm,
    SupplementReceivedForm,
    SupplementRequestForm,
    VersionForm,
    apply_errors,
    components_of,
)
from .models import Dossier
from .worklist import PAGE, PROCEDURE, SLUG_OF, Q, worklist_queryset

PAGE_SIZE = 25
WARNINGS_SHOWN = 20  # the most urgent unread due warnings on the list page
# Query-string names: worklist.py.
COMPONENTS = "tp"  # prefix of the component rows on the reception form


def official_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in officials only: anonymous visitors go to the login page, citizens get 403."""

    @wraps(view)
    @login_required
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_superuser or user.kind == User.Kind.OFFICIAL):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return page


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    try:
        return selectors.dossier_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _detail_url(dossier: Dossier) -> str:
    return reverse("dossiers:detail", args=[dossier.pk])


def form_url(dossier: Dossier, key: str) -> str:
    return reverse("api:form", kwargs={"dossier_id": dossier.pk, "key": key})


# List ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    deadlines: Deadlines
    assignable: bool = False  # unassigned at a running step: may be chosen for assignment


# A list counts its rows up to this many, then says "more than" (never a count of the table).
COUNT_CAP = 1000


@official_required
@require_safe
def dossier_list(request: HttpRequest) -> HttpResponse:
    """Bàn làm việc: the official's desk. Tabs with live counts over every post they hold
    (`selectors.desk_tabs`), "my work" first; the list of the tab, open dossiers soonest step
    deadline first (closed ones for a period of reception), filtered and searched. Paged by
    keyset (`core.keyset`): the links carry the boundary row, so page 400 costs what page 1
    does and nothing is skipped or repeated while dossiers move."""
    now = timezone.now()
    dossiers, p = worklist_queryset(request.user, request.GET, now=now, today=timezone.localdate())
    order = selectors.list_order(p["closed"])
    # The capped count first: when nothing matches, the page is not read (the planner,
    # expecting matches, would walk the list's whole order to find none).
    count, capped = capped_count(dossiers, COUNT_CAP)
    if count:
        page = keyset_page(dossiers, order, cursor=request.GET.get(PAGE), size=PAGE_SIZE)
    else:
        page = Page([])
    rows = [
        Row(d, selectors.deadlines_of(d, now), not d.assignee_id and d.status in CLOCK_RUNNING)
        for d in page.items
    ]
    tabs = [
        (t, SLUG_OF[t.key]) for t in selectors.desk_tabs(user=request.user, now=now, cap=COUNT_CAP)
    ]
    scope = selectors.desk_scope(request.user)
    can_assign = scope.assign != [] and not p["closed"] and any(r.assignable for r in rows)
    context = {
        "rows": rows,
        "page": page,
        "count": count,
        "capped": capped,
        "tabs": tabs,
        "tab": p["slug"],
        "tab_label": selectors.TAB_LABELS.get(p["tab"], "") if p["tab"] else "",
        "statuses": Status.choices,
        "channels": Channel.choices,
        "fields": selectors.field_choices(),
        "status": p["status"],
        "query": p["query"],
        "closed": p["closed"],
        "f": p["filters"],
        "procedure_code": p["procedure_code"],
        "filter_errors": p["errors"],
        "period": p["period"],
        "period_errors": p["period_errors"],
        "filtered": p["searching"],
        "can_receive": scope.receive != [],
        "can_assign": can_assign,
        "assignable": selectors.assignable_officials(request.user) if can_assign else [],
        "warnings": selectors.warnings_read(request.user, now=now, limit=WARNINGS_SHOWN),
    }
    if request.headers.get("HX-Request") == "true":
        return TemplateResponse(request, "dossiers/_desk_list.html", context)
    return TemplateResponse(request, "dossiers/list.html", context)


@official_required
@require_POST
def dossier_assign_bulk(request: HttpRequest) -> HttpResponse:
    """Phân công from the desk's list: the chosen dossiers to one official, each through the
    assignment service in its own transaction (`services.dossiers_assign_many`)."""
    back = request.POST.get("next", "")
    if not back.startswith("/ho-so/") or back.startswith("//"):
        back = reverse("dossiers:list")
    ids = [int(v) for v in request.POST.getlist("ho_so") if v.isdigit() and len(v) < 18]
    pk = request.POST.get("can_bo", "")
    assignee = User.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 18 else None
    if not ids or assignee is None:
        messages.error(request, _("Choose at least one dossier and the official."))
        return redirect(back)
    outcomes = services.dossiers_assign_many(actor=request.user, dossier_ids=ids, assignee=assignee)
    done = [o for o in outcomes if o.assigned]
    if done:
        messages.success(
            request,
            _("Assigned to %(name)s: %(codes)s.")
            % {
                "name": assignee.full_name or assignee.username,
                "codes": ", ".join(o.code for o in done),
            },
        )
    for o in outcomes:
        if not o.assigned:
            messages.error(request, f"{o.code or o.dossier_id}: {o.message}")
    return redirect(back)


@official_required
@require_POST
def dossier_export(request: HttpRequest) -> HttpResponse:
    """The desk's list as it is filtered, to .xlsx, prepared in the background
    (`motcua.exports`, kind "worklist"); the next page follows the file."""
    from django.http import QueryDict

    from motcua.exports.constants import ExportFormat, ExportKind
    from motcua.exports.services import export_request

    from .worklist import PARAMS

    # The list's own query string, posted back by the export button beside it.
    shown = QueryDict(request.POST.get("query", "")[:2000])
    params = {k: shown.get(k, "") for k in PARAMS if shown.get(k, "")}
    try:
        job = export_request(
            actor=request.user, kind=ExportKind.WORKLIST, params=params, fmt=ExportFormat.XLSX
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("dossiers:list"))
    return redirect("exports:status", pk=job.pk)


@official_required
@require_POST
def warning_seen(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the official's due warnings as read, back to the list."""
    try:
        services.due_warning_seen(actor=request.user, warning_id=pk)
    except NotFound:
        raise Http404 from None
    return redirect(reverse("dossiers:list") + "#canh-bao")


# Reception at the desk -----------------------------------------------------------------------


def _commune_choices(desks: list) -> list:
    provinces = {d.province_id: d.province for d in desks}
    groups = [
        (p.name, [(c.code, c.name) for c in commune_list(province_code=p.pk)])
        for p in sorted(provinces.values(), key=lambda p: p.name)
    ]
    if len(groups) == 1:
        return groups[0][1]
    return groups


def _component_rows(content) -> list[dict[str, Any]]:
    """The procedure's components as the reception form's first rows (required ones ticked)."""
    return [
        {
            "received": item.requirement == Requirement.REQUIRED,
            "listed": True,
            "name": item.name,
            "code": item.code,
            "originals": item.originals,
            "copies": item.copies,
            "condition": item.condition,
        }
        for item in content.components
    ]


def _posted_rows(data) -> list[dict[str, Any]]:
    """The component rows as posted, to show them again with one more empty row."""
    try:
        total = min(int(data.get(f"{COMPONENTS}-TOTAL_FORMS", "0")), 59)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        key = f"{COMPONENTS}-{i}-"
        rows.append(
            {
                "received": bool(data.get(key + "received")),
                "name": data.get(key + "name", ""),
                "code": data.get(key + "code", ""),
                "listed": bool(data.get(key + "listed")),
                "originals": data.get(key + "originals", "0"),
                "copies": data.get(key + "copies", "0"),
            }
        )
    return rows


def _choose_procedure(request: HttpRequest, error: str = "") -> HttpResponse:
    query = request.GET.get(Q, "").strip()[:200]
    results = list(procedure_search(query=query)[:20]) if query else []
    exact = [p for p in results if p.code == query.upper()]
    if len(exact) == 1 and not error:
        return redirect(f"{reverse('dossiers:receive')}?{PROCEDURE}={exact[0].code}")
    return TemplateResponse(
        request,
        "dossiers/receive_choose.html",
        {"query": query, "results": results, "error": error},
        status=404 if error else 200,
    )


@official_required
def dossier_receive(request: HttpRequest) -> HttpResponse:
    """Tiếp nhận hồ sơ trực tiếp: choose the procedure, then register (and accept) the dossier."""
    desks = list(selectors.receiving_desks(request.user))
    if not desks:
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    code = source.get(PROCEDURE, "").strip()[:40]
    if not code:
        return _choose_procedure(request)
    try:
        chosen = procedure_public_get(code)
    except NotFound:
        return _choose_procedure(
            request,
            error=_("Procedure %(code)s is not published and takes no dossiers.") % {"code": code},
        )
    options = {"desks": desks, "communes": _commune_choices(desks)}
    home = next((d.pk for d in desks if d.pk == request.user.agency_id), desks[0].pk)
    component_errors: list[str] = []
    looking_up = request.method == "POST" and "lookup" in request.POST
    adding = request.method == "POST" and ("add_row" in request.POST or looking_up)
    lookup = None

    if request.method == "POST" and not adding:
        form = ReceiveForm(request.POST, **options)
        # No `initial` here: rows left as the catalog lists them would count as "unchanged"
        # and be skipped.
        formset = ComponentFormSet(request.POST, request.FILES, prefix=COMPONENTS)
        _offer_reuse(request, formset, request.POST, chosen.content)
        if form.is_valid() & formset.is_valid():
            data = form.cleaned_data
            try:
                dossier = services.dossier_submit(
                    actor=request.user,
                    procedure=chosen.procedure,
                    applicant=form.applicant(),
                    components=components_of(formset),
                    channel=Channel.DIRECT,
                    desk=form.desks[data["desk"]],
                    summary=data["summary"],
                    sets=data["sets"],
                    return_method=data["return_method"],
                    accept=data["accept"],
                )
            except InvalidInput as exc:
                errors = dict(exc.errors)
                component_errors = errors.pop("components", [])
                apply_errors(form, errors, ReceiveForm.ALIASES)
                form.add_error(None, exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                _received_message(request, dossier)
                return redirect(_detail_url(dossier))
    elif adding:
        initial = request.POST.dict()
        initial["accept"] = "accept" in request.POST
        if looking_up:
            lookup = _lookup_applicant(request, chosen.procedure.code, initial)
        form = ReceiveForm(initial=initial, **options)
        rows = _posted_rows(request.POST)
        if not looking_up:
            rows.append({"received": False, "originals": 0, "copies": 0})
        formset = forms.formset_factory(ComponentFormSet.form, extra=0, max_num=60)(
            initial=rows, prefix=COMPONENTS
        )
        _offer_reuse(request, formset, initial, chosen.content)
    else:
        form = ReceiveForm(initial={"desk": home}, **options)
        formset = ComponentFormSet(initial=_component_rows(chosen.content), prefix=COMPONENTS)
        _offer_reuse(request, formset, {}, chosen.content)

    # The catalog's condition for each listed component ("when authorized…"), as a hint.
    conditions = [row["condition"] for row in _component_rows(chosen.content)]
    for row_form, condition in zip(formset.forms, conditions, strict=False):
        row_form.condition = condition
    failed = form.is_bound and bool(form.errors or formset.total_error_count() or component_errors)
    return TemplateResponse(
        request,
        "dossiers/receive.html",
        {
            "procedure": chosen.procedure,
            "version": chosen.version,
            "form": form,
            "formset": formset,
            "component_errors": component_errors,
            "failed": failed,
            # A one-time token: the same form sent twice registers one dossier.
            "once": once_token(),
            "lookup": lookup,
        },
        status=422 if failed else 200,
    )


def _offer_reuse(request: HttpRequest, formset, data, content) -> None:
    """Tái sử dụng giấy tờ (R10): on each row the catalog marks reusable from the applicant's
    data warehouse, the applicant's papers to choose instead of an upload (of the component's
    document type when its name tells one); on a row marked for a national database, a hint
    that the dossier page looks it up. The applicant is the one typed in (or looked up)."""
    from motcua.catalog.constants import ReuseSource
    from motcua.documents import warehouse

    marks = warehouse.reuse_marks([c.model_dump() for c in content.components])
    number = str(data.get("applicant_id_number") or "").strip()
    items: list = []
    if number:
        try:
            items = warehouse.warehouse_list(
                user=request.user,
                owner_kind=warehouse.owner_kind_of(str(data.get("applicant_kind") or "")),
                owner_number=number,
            )
        except DomainError:
            items = []
    for row_form in formset.forms:
        mark, source = warehouse.reuse_mark(
            marks, str(row_form["code"].value() or ""), str(row_form["name"].value() or "")
        )
        row_form.reuse_kind = mark
        row_form.reuse_source = source
        if mark != ReuseSource.DATA_WAREHOUSE:
            continue
        offered = warehouse.offers(items, str(row_form["name"].value() or ""))
        row_form.fields["reuse"].choices = [("", _("— Upload or hand in instead —"))] + [
            (i.document.pk, _reuse_label(i)) for i in offered
        ]
        row_form.reuse_offered = bool(offered)


def _reuse_label(item) -> str:
    d = item.document
    parts = [str(d.get_document_type_display() or d.get_kind_display())]
    if d.number:
        parts.append(d.number)
    label = " ".join(parts) + f" — {d.original_name}"
    if item.dossier_code:
        label += " " + _("(dossier %(code)s)") % {"code": item.dossier_code}
    if d.valid_until:
        label += " · " + _("valid until %(date)s") % {"date": d.valid_until.strftime("%d/%m/%Y")}
    return label


def _lookup_applicant(request: HttpRequest, procedure_code: str, initial: dict) -> Any:
    """ "Tra cứu CSDL dân cư" on the reception form: the register's answer fills the applicant
    fields of `initial` (a citizen from the population database, an enterprise from business
    registration). Not found or unavailable: a message, and the form as it was typed."""
    number = initial.get("applicant_id_number", "")
    try:
        if initial.get("applicant_kind") == ApplicantKind.ORGANIZATION:
            result = people.business_lookup(
                actor=request.user, tax_code=number, procedure_code=procedure_code
            )
        else:
            result = people.citizen_lookup(
                actor=request.user, id_number=number, procedure_code=procedure_code
            )
    except InvalidInput as exc:
        return {"outcome": "invalid", "message": exc.message}
    if result.found:
        initial["applicant_name"] = result.name
        initial["applicant_id_number"] = result.number
        initial["applicant_address"] = result.address or initial.get("applicant_address", "")
        if result.commune_code is not None:
            initial["applicant_commune"] = result.commune_code
        if result.email and not initial.get("applicant_email"):
            initial["applicant_email"] = result.email
    return {"outcome": result.outcome, "message": result.message}


def _received_message(request: HttpRequest, dossier: Dossier) -> None:
    if dossier.status == Status.SUBMITTED:
        messages.success(
            request,
            _(
                "Dossier %(code)s is registered. Check it, then accept it or ask for a "
                "supplement below."
            )
            % {"code": dossier.code},
        )
        return
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            _("Dossier %(code)s was accepted.") % {"code": dossier.code},
            form_url(dossier, "receipt"),
            _("Print the receipt and appointment (PDF)"),
        ),
    )


# One dossier ---------------------------------------------------------------------------------


@dataclass
class Panel:
    """One action form on the dossier page."""

    key: str
    title: str
    url: str
    form: forms.Form
    button: str
    primary: bool = False
    danger: bool = False
    open: bool = False


@dataclass(frozen=True)
class PageAction:
    """An action of the dossier page: its form, the service call, and what to say after."""

    slug: str
    title: Any
    button: Any
    form: type[forms.Form]
    run: Callable[[HttpRequest, Dossier, forms.Form], Any]
    done: Any
    danger: bool = False


def _run_accept(request, d, form):
    return services.dossier_accept(
        actor=request.user, dossier=d, expected_version=form.cleaned_data["version"]
    )


def _run_refuse(request, d, form):
    return services.dossier_refuse(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        reasons=form.cleaned_data["reasons"],
    )


def _run_supplement_request(request, d, form):
    return services.dossier_request_supplement(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        items=form.cleaned_data["items"],
        reason=form.cleaned_data["reason"],
    )


def _run_supplement_received(request, d, form):
    return services.dossier_supplement_received(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        components=form.cleaned_data["components"],
        note=form.cleaned_data["note"],
    )


def _run_act(request, d, form):
    return services.dossier_act(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        action=form.cleaned_data["action"],
        note=form.cleaned_data["note"],
        next_assignee=form.next_user(),
    )


def _run_assign(request, d, form):
    return services.dossier_assign(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        assignee=form.assignee_user(),
        note=form.cleaned_data["note"],
    )


def _run_consult_answer(request, d, form):
    consultation = selectors.consultation_open_get(dossier=d, pk=form.cleaned_data["consultation"])
    return services.dossier_consult_answer(
        actor=request.user,
        consultation=consultation,
        opinion=form.cleaned_data["opinion"],
        agrees=form.cleaned_data["agrees"],
    )


def _run_payment_request(request, d, form):
    return services.dossier_request_payment(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        amount_vnd=form.cleaned_data["amount_vnd"],
        authority=form.cleaned_data["authority"],
        notice_number=form.cleaned_data["notice_number"],
        note=form.cleaned_data["note"],
    )


def _run_payment_received(request, d, form):
    return services.dossier_payment_received(
        actor=request.user, dossier=d, expected_version=form.cleaned_data["version"]
    )


def _run_return(request, d, form):
    return services.dossier_return(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        method=form.cleaned_data["method"],
        note=form.cleaned_data["note"],
    )


def _run_withdraw(request, d, form):
    return services.dossier_withdraw(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
    )


def _run_stop(request, d, form):
    return services.dossier_stop(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
        requested_by=form.cleaned_data["requested_by"],
    )


def _run_apology(request, d, form):
    return services.dossier_apology_issue(
        actor=request.user,
        dossier=d,
        expected_version=form.cleaned_data["version"],
        reason=form.cleaned_data["reason"],
        new_due_at=form.cleaned_data["new_due_at"],
    )


# URL slug → action. The order is the order of the forms on the page.
ACTIONS: dict[str, PageAction] = {
    a.slug: a
    for a in (
        PageAction(
            "tiep-nhan",
            gettext_lazy("Accept the dossier"),
            gettext_lazy("Accept and issue the receipt"),
            VersionForm,
            _run_accept,
            gettext_lazy("Dossier %(code)s was accepted."),
        ),
        PageAction(
            "xu-ly",
            gettext_lazy("Complete the step"),
            "",
            ActForm,
            _run_act,
            gettext_lazy("Done: %(action)s. The dossier is now at “%(step)s”."),
        ),
        PageAction(
            "cho-y-kien",
            gettext_lazy("Give your unit's opinion"),
            gettext_lazy("Send the opinion"),
            ConsultAnswerForm,
            _run_consult_answer,
            gettext_lazy("Your opinion was recorded."),
        ),
        PageAction(
            "phan-cong",
            gettext_lazy("Assign the step"),
            gettext_lazy("Assign"),
            AssignForm,
            _run_assign,
            gettext_lazy("The step was assigned."),
        ),
        PageAction(
            "yeu-cau-bo-sung",
            gettext_lazy("Ask for a supplement"),
            gettext_lazy("Send the supplement request"),
            SupplementRequestForm,
            _run_supplement_request,
            gettext_lazy("The supplement request was recorded; print it for the applicant."),
        ),
        PageAction(
            "nhan-bo-sung",
            gettext_lazy("Record the supplement received"),
            gettext_lazy("Record the supplement"),
            SupplementReceivedForm,
            _run_supplement_received,
            gettext_lazy("The supplement was recorded."),
        ),
        PageAction(
            "yeu-cau-nghia-vu-tai-chinh",
            gettext_lazy("Financial obligation by a tax notice"),
            gettext_lazy("Record the notice and pause the clock"),
            PaymentRequestForm,
            _run_payment_request,
            gettext_lazy("The financial obligation was requested; the clock is paused."),
        ),
        PageAction(
            "da-thuc-hien-nghia-vu-tai-chinh",
            gettext_lazy("Financial obligation fulfilled"),
            gettext_lazy("Record it and resume processing"),
            VersionForm,
            _run_payment_received,
            gettext_lazy("The financial obligation was recorded; processing resumes."),
        ),
        PageAction(
            "tra-ket-qua",
            gettext_lazy("Return the result"),
            gettext_lazy("Record the result as returned"),
            ReturnForm,
            _run_return,
            gettext_lazy("The result of dossier %(code)s was returned."),
        ),
        PageAction(
            "xin-loi",
            gettext_lazy("Issue an apology letter and a new appointment"),
            gettext_lazy("Issue the letter"),
            ApologyForm,
            _run_apology,
            gettext_lazy("The apology letter was issued; print it for the applicant."),
        ),
        PageAction(
            "tu-choi",
            gettext_lazy("Refuse the dossier"),
            gettext_lazy("Refuse"),
            RefuseForm,
            _run_refuse,
            gettext_lazy("Dossier %(code)s was refused; print the refusal notice."),
            danger=True,
        ),
        PageAction(
            "rut-ho-so",
            gettext_lazy("Withdraw at the applicant's request"),
            gettext_lazy("Withdraw the dossier"),
            ReasonForm,
            _run_withdraw,
            gettext_lazy("Dossier %(code)s was withdrawn."),
            danger=True,
        ),
        PageAction(
            "dung-xu-ly",
            gettext_lazy("Stop processing"),
            gettext_lazy("Stop processing"),
            StopForm,
            _run_stop,
            gettext_lazy("Processing of dossier %(code)s was stopped; print the notice."),
            danger=True,
        ),
    )
}

# Which DossierActions flag offers which action (the step moves and opinions are lists).
_FLAGS = {
    "tiep-nhan": "accept",
    "yeu-cau-bo-sung": "supplement_request",
    "nhan-bo-sung": "supplement_received",
    "yeu-cau-nghia-vu-tai-chinh": "payment_request",
    "da-thuc-hien-nghia-vu-tai-chinh": "payment_received",
    "tra-ket-qua": "return_result",
    "xin-loi": "apology",
    "tu-choi": "refuse",
    "rut-ho-so": "withdraw",
    "dung-xu-ly": "stop",
}


def _form_kwargs(request: HttpRequest, d: Dossier, slug: str) -> dict:
    """The eligible officials an assignment or a step's next assignee may be chosen from."""
    if slug not in ("phan-cong", "xu-ly"):
        return {}
    actions = selectors.dossier_actions(user=request.user, dossier=d)
    if slug == "phan-cong":
        return {"candidates": actions.assign or ()}
    posted = request.POST.get("action", "")
    move = next((m for m in actions.moves if m.action == posted), None)
    return {"candidates": move.candidates if move else ()}


def _panels(
    d: Dossier, actions: selectors.DossierActions, bound: dict[str, forms.Form]
) -> list[Panel]:
    panels: list[Panel] = []
    version = {"version": d.version}

    def add(key: str, action: PageAction, form: forms.Form, **kw: Any) -> None:
        chosen = bound.get(key, form)
        kw.setdefault("title", str(action.title))
        kw.setdefault("button", str(action.button))
        panels.append(
            Panel(
                key=key,
                url=reverse("dossiers:action", args=[d.pk, action.slug]),
                form=chosen,
                danger=action.danger,
                open=kw.pop("open", False) or key in bound,
                **kw,
            )
        )

    for slug, action in ACTIONS.items():
        if slug == "xu-ly":
            for move in actions.moves:
                key = f"act-{move.action}"
                form = ActForm(
                    initial={**version, "action": move.action},
                    candidates=move.candidates,
                    load=actions.load,
                    auto_id=f"{key}-%s",
                )
                target = move.next_name or _("end of processing")
                add(
                    key,
                    action,
                    form,
                    title=_("%(action)s → %(next)s") % {"action": move.label, "next": target},
                    button=move.label,
                    primary=move.action in (StepAction.FORWARD, StepAction.APPROVE),
                    open=True,
                )
        elif slug == "cho-y-kien":
            for consultation in actions.consultations:
                key = f"consult-{consultation.pk}"
                form = ConsultAnswerForm(
                    initial={"consultation": consultation.pk}, auto_id=f"{key}-%s"
                )
                add(
                    key,
                    action,
                    form,
                    title=_("Opinion of %(unit)s") % {"unit": consultation.unit.name},
                    primary=True,
                    open=True,
                )
        elif slug == "phan-cong":
            if actions.assign is not None:
                form = AssignForm(
                    initial=version,
                    candidates=actions.assign,
                    load=actions.load,
                    auto_id="assign-%s",
                )
                add(slug, action, form)
        elif getattr(actions, _FLAGS[slug]):
            form = action.form(initial=_initial(slug, d), auto_id=f"{slug}-%s")
            add(slug, action, form, primary=slug == "tiep-nhan", open=slug == "tiep-nhan")
    # A form posted by someone the page no longer offers it to still shows its errors.
    shown = {panel.key for panel in panels}
    for key, form in bound.items():
        if key not in shown:
            action = ACTIONS[_slug_of(key)]
            add(key, action, form, button=str(action.button) or _("Send"))
    return panels


def _slug_of(key: str) -> str:
    """The action of a panel key ("act-forward" → "xu-ly", "consult-3" → "cho-y-kien")."""
    if key.startswith("act-"):
        return "xu-ly"
    if key.startswith("consult-"):
        return "cho-y-kien"
    return "phan-cong" if key == "assign" else key


def _initial(slug: str, d: Dossier) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": d.version}
    if slug == "tra-ket-qua":
        initial["method"] = d.return_method
    return initial


def _duration(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _history(events, names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for e in events:
        step_from = names.get(e.from_step, e.from_step)
        step_to = names.get(e.to_step, e.to_step)
        rows.append(
            {
                "event": e,
                "kind": _label(EventKind, e.kind),
                "action": _label(StepAction, e.action) if e.action else "",
                "actor": (e.actor.full_name or e.actor.username) if e.actor_id else e.actor_label,
                "from_status": _label(Status, e.from_status) if e.from_status else "",
                "to_status": _label(Status, e.to_status),
                "from_step": step_from,
                "to_step": step_to,
                "from_agency": e.from_agency.name if e.from_agency_id else "",
                "to_agency": e.to_agency.name if e.to_agency_id else "",
                "to_user": (e.to_user.full_name or e.to_user.username) if e.to_user_id else "",
                "used": _duration(e.minutes_used),
                "limit": _duration(e.step_limit_minutes),
                "timeliness": e.timeliness,
                "timeliness_label": _label(Timeliness, e.timeliness) if e.timeliness else "",
            }
        )
    return rows


def _printable(d: Dossier, events) -> list[dict[str, str]]:
    forms_ = []
    received_on = d.received_at or d.submitted_at
    for key in selectors.dossier_forms(d, events):
        try:
            title = form_for(key, received_on).title
        except FormNotAvailable:
            continue
        forms_.append({"key": key, "title": title, "url": form_url(d, key)})
    return forms_


def _render_detail(
    request: HttpRequest,
    d: Dossier,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    spec = selectors.dossier_spec(d)
    events = list(selectors.dossier_history(d))
    names = {s.key: s.name for s in spec.steps}
    actions = selectors.dossier_actions(user=request.user, dossier=d, spec=spec)
    now = timezone.now()
    context = {
        "dossier": d,
        "procedure_name": d.procedure_version.name,
        "source": selectors.dossier_source(d),
        "deadlines": selectors.deadlines_of(d, now),
        "svg": definition_svg(
            spec,
            unit_labels=selectors.dossier_unit_labels(d, spec),
            highlight=d.step_key or None,
        ),
        "history": _history(events, names),
        "components": list(selectors.dossier_components(d)),
        "printable": _printable(d, events),
        "panels": _panels(d, actions, bound or {}),
        "default_process": d.definition_id is None,
        "result": selectors.dossier_result(user=request.user, dossier=d),
        **_papers(request, d),
    }
    return TemplateResponse(request, "dossiers/detail.html", context, status=status)


def _papers(request: HttpRequest, d: Dossier) -> dict[str, Any]:
    """The "Giấy tờ" section (motcua.documents): each component's files and their forms."""
    from motcua.documents.forms import UPLOAD_KINDS, DigitizeForm
    from motcua.documents.selectors import dossier_papers

    papers = dossier_papers(user=request.user, dossier=d)
    if papers["can_write"]:
        for row in papers["rows"]:
            for doc in row.current:
                doc.digitize_form = DigitizeForm(
                    prefix=f"so-hoa-{doc.pk}",
                    initial={
                        "document_type": doc.document_type,
                        "number": doc.number,
                        "issued_on": doc.issued_on,
                        "issuer": doc.issuer,
                        "valid_until": doc.valid_until,
                        "owner_kind": doc.owner_kind,
                        "owner_number": doc.owner_number,
                    },
                )
    return {"papers": papers, "upload_kinds": UPLOAD_KINDS}


@official_required
@require_safe
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Trang hồ sơ: the facts, the workflow, the history, the forms to print, the actions."""
    return _render_detail(request, _dossier(request, pk))


def _stale_message(d: Dossier) -> str:
    return _(
        "Dossier %(code)s was updated by someone else while you were looking at it, so "
        "nothing was changed. Below is its current state: check it and act again if still "
        "needed."
    ) % {"code": d.code}


@official_required
@require_POST
def dossier_result_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Lập dự thảo kết quả từ mẫu: the text typed in the "Kết quả" box becomes the draft."""
    from .services.results import result_draft_generate

    d = _dossier(request, pk)
    form = ResultDraftForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(_detail_url(d) + "#ket-qua")
    try:
        result_draft_generate(
            actor=request.user,
            dossier=d,
            text=form.cleaned_data["text"],
            title=form.cleaned_data["title"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The draft result was made from the template; check it before signing.")
        )
    return redirect(_detail_url(d) + "#ket-qua")


@official_required
@require_POST
def dossier_action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """One action on the dossier: the service decides; then back to the dossier page."""
    action = ACTIONS.get(slug)
    if action is None:
        raise Http404
    d = _dossier(request, pk)
    key = slug
    if slug == "xu-ly":
        key = f"act-{request.POST.get('action', '')}"
    elif slug == "cho-y-kien":
        key = f"consult-{request.POST.get('consultation', '')}"
    elif slug == "phan-cong":
        key = "assign"
    form = action.form(request.POST, auto_id=f"{key}-%s", **_form_kwargs(request, d, slug))
    if not form.is_valid():
        return _render_detail(request, d, {key: form}, status=422)
    try:
        result = action.run(request, d, form)
    except Conflict as exc:
        messages.error(request, _stale_message(d) if exc.code == "stale" else exc.message)
        return redirect(_detail_url(d))
    except InvalidInput as exc:
        if exc.errors:
            apply_errors(form, exc.errors, {})
        else:
            form.add_error(None, exc.message)
        return _render_detail(request, d, {key: form}, status=422)
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(d))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(d))
    after = result if isinstance(result, Dossier) else d
    messages.success(request, _done_message(action, d, after, form))
    try:
        selectors.dossier_get(user=request.user, pk=d.pk)
    except NotFound:
        # Handed on beyond what this official may see (e.g. back from another agency).
        return redirect(reverse("dossiers:list"))
    return redirect(_detail_url(d))


def _done_message(action: PageAction, before: Dossier, after: Dossier, form: forms.Form) -> str:
    if action.slug == "xu-ly":
        return str(action.done) % {
            "action": _label(StepAction, form.cleaned_data["action"]),
            "step": after.step_name or after.get_status_display(),
        }
    message = str(action.done) % {"code": before.code}
    if action.slug == "tiep-nhan":
        return format_html(
            '{} <a href="{}">{}</a>',
            message,
            form_url(before, "receipt"),
            _("Print the receipt and appointment (PDF)"),
        )
    return message
