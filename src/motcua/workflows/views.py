"""Workflow configuration pages (cấu hình quy trình giải quyết), in the administration site.

Each page parses a form, calls one selector or service and renders; the rules live in
`services` and `validation`. Everything works without JavaScript: buttons are POST forms, the
step editor is a formset, "add a step" re-renders the posted formset with one more fieldset.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.authz import agencies_where, has_any
from motcua.accounts.constants import Action
from motcua.accounts.models import Role
from motcua.catalog.views import attachment_header
from motcua.core.admin_site import site
from motcua.core.errors import DomainError, InvalidInput, NotFound
from motcua.core.workcalendar import TZ
from motcua.organizations.models import Agency, AgencyKind
from motcua.territory.models import Province

from .constants import DefinitionStatus, LimitUnit, StepAction, StepKind
from .diagram import definition_svg, limit_label, unit_label
from .forms import (
    DefinitionCreateForm,
    DefinitionImportForm,
    DefinitionMetaForm,
    RawJsonForm,
    StepForm,
    StepFormSet,
    agency_choices,
    apply_service_errors,
    definition_json,
    empty_template,
    extra_unit_choices,
    known_units_of,
    next_choices_for,
    role_choices,
)
from .models import ProcessDefinition
from .selectors import definition_export, definition_get, definition_test_runs, definitions_list
from .services import (
    EDITABLE,
    definition_activate,
    definition_create,
    definition_import,
    definition_new_version,
    definition_retire,
    definition_test_run,
    definition_update,
)
from .validation import definition_problems

MANAGE = Action.WORKFLOW_MANAGE
OPTS = ProcessDefinition._meta


def workflow_page(view):
    """An admin page for workflow managers only: other officials who are logged in get 403."""
    wrapped = site.admin_view(view)

    @wraps(view)
    def page(request, *args, **kwargs):
        if request.user.is_authenticated and not has_any(request.user, {MANAGE}):
            raise PermissionDenied
        return wrapped(request, *args, **kwargs)

    return page


def _context(request, title: str, **extra) -> dict[str, Any]:
    return {**site.each_context(request), "title": title, "opts": OPTS, **extra}


def _get(request, pk: int) -> ProcessDefinition:
    try:
        return definition_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _detail_url(definition: ProcessDefinition) -> str:
    return reverse("admin:workflows_processdefinition_change", args=[definition.pk])


def _error_messages(request, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for key, problems in getattr(exc, "errors", {}).items():
        for problem in problems:
            where = "" if key in ("definition", "__all__", "steps") else f"[{key}] "
            messages.error(request, f"{where}{problem}")


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _when(value: str | None) -> str:
    """An ISO moment of a report, as Vietnamese read it (Asia/Ho_Chi_Minh)."""
    if not value:
        return "—"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def scope_label(definition: ProcessDefinition) -> str:
    if definition.agency_id is None:
        return _("Province-wide") + f" ({definition.province.name})"
    return definition.agency.name


# Detail ------------------------------------------------------------------------------------


def _step_rows(definition: ProcessDefinition) -> list[dict[str, Any]]:
    spec = definition.spec
    names = {s.key: s.name for s in spec.steps}
    roles = dict(
        Role.objects.filter(code__in={s.role for s in spec.steps}).values_list("code", "name")
    )
    rows = []
    for i, step in enumerate(spec.steps, start=1):
        rows.append(
            {
                "number": i,
                "key": step.key,
                "name": step.name,
                "kind": _label(StepKind, step.kind),
                "unit": unit_label(step.unit),
                "role": roles.get(step.role, step.role),
                "limit": limit_label(step),
                "transitions": [
                    (
                        _label(StepAction, t.action),
                        names.get(t.next, t.next) if t.next else _("End of processing"),
                    )
                    for t in step.transitions
                ],
                "consult_units": [unit_label(u) for u in step.consult_units],
                "note": step.note,
            }
        )
    return rows


def _problem_rows(problems, names: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "step": names.get(p["step_key"], p["step_key"]) if p.get("step_key") else "",
            "step_key": p.get("step_key") or "",
            "code": p.get("code", ""),
            "message": p.get("message", ""),
        }
        for p in problems
    ]


def _report_context(run, definition: ProcessDefinition) -> dict[str, Any] | None:
    if run is None:
        return None
    report = run.report or {}
    names = {s.get("key"): s.get("name") for s in report.get("steps", [])}
    names.update({s.key: s.name for s in definition.spec.steps})
    steps = []
    for step in report.get("steps", []):
        limit = step.get("limit") or {}
        steps.append(
            {
                "name": step.get("name", ""),
                "kind": _label(StepKind, step.get("kind")),
                "unit": (step.get("unit") or {}).get("name") or "—",
                "role": step.get("role_name") or step.get("role", ""),
                "officials": step.get("officials") or [],
                "consulted": [
                    {
                        "unit": (c.get("unit") or {}).get("name") or "—",
                        "officials": c.get("officials") or [],
                    }
                    for c in step.get("consulted") or []
                ],
                "limit": (
                    f"{limit.get('amount')} {_label(LimitUnit, limit.get('unit'))}" if limit else ""
                ),
                "started_at": _when(step.get("started_at")),
                "deadline": _when(step.get("deadline")),
                "action": _label(StepAction, step.get("action")) if step.get("action") else "",
                "acted_by": (step.get("acted_by") or {}).get("name") or "",
                "acted_at": _when(step.get("acted_at")) if step.get("acted_at") else "",
                "problems": [p.get("message", "") for p in step.get("problems") or []],
            }
        )
    published = report.get("published_time") or {}
    from motcua.dossiers.constants import EventKind, Status

    events = [
        {
            "at": _when(e.get("at")),
            "kind": _label(EventKind, e.get("kind")),
            "status": _label(Status, e.get("to_status")),
            "step": names.get(e.get("to_step"), e.get("to_step") or ""),
            "agency": e.get("agency") or "",
            "actor": e.get("actor") or "",
        }
        for e in report.get("events") or []
    ]
    return {
        "run": run,
        "stale": run.content_hash != definition.content_hash,
        "passed": report.get("passed", run.passed),
        "commune": (report.get("commune") or {}).get("name") or "—",
        "competent": (report.get("competent_agency") or {}).get("name") or "—",
        "desk": (report.get("receiving_desk") or {}).get("name") or "—",
        "start": _when(report.get("start")),
        "end": _when(report.get("end")),
        "due": _when(report.get("due")),
        "published": (
            f"{published.get('amount')} {_label(LimitUnit, published.get('unit'))}"
            if published.get("unit") in LimitUnit.values
            else (f"{published.get('amount')} {published.get('unit')}" if published else "—")
        ),
        "within_time": report.get("within_time"),
        "steps": steps,
        "events": events,
        "problems": _problem_rows(report.get("problems") or [], names),
    }


# Which buttons a definition offers; the services decide whether the move is allowed.
BUTTONS = {
    DefinitionStatus.DRAFT: ["test_run", "retire", "new_version"],
    DefinitionStatus.TESTED: ["test_run", "activate", "retire", "new_version"],
    DefinitionStatus.ACTIVE: ["test_run", "retire", "new_version"],
    DefinitionStatus.RETIRED: ["new_version"],
}


def action_labels() -> dict[str, str]:
    return {
        "test_run": _("Run a test"),
        "activate": _("Activate"),
        "retire": _("Retire"),
        "new_version": _("Make a new version"),
    }


def definition_detail(request, pk: int):
    """The definition as a diagram and a table, its problems, its latest test-run, the buttons."""
    definition = _get(request, pk)
    spec = definition.spec
    names = {s.key: s.name for s in spec.steps}
    problems = _problem_rows([p.as_dict() for p in definition_problems(definition)], names)
    runs = list(definition_test_runs(definition)[:5])
    labels = action_labels()
    versions = (
        definitions_list(user=request.user, procedure=definition.procedure)
        .filter(province=definition.province_id, agency=definition.agency_id)
        .only("pk", "number", "status", "name", "updated_at", "procedure", "province", "agency")
    )
    context = _context(
        request,
        _("%(name)s, version %(n)s") % {"name": definition.name, "n": definition.number},
        definition=definition,
        scope=scope_label(definition),
        svg=definition_svg(spec),
        steps=_step_rows(definition),
        problems=problems,
        report=_report_context(runs[0] if runs else None, definition),
        runs=runs,
        versions=versions,
        editable=definition.status in EDITABLE,
        buttons=[(name, labels[name]) for name in BUTTONS.get(definition.status, [])],
    )
    return TemplateResponse(request, "workflows/definition_detail.html", context)


@require_http_methods(["GET", "POST"])
def definition_action(request, pk: int, name: str):
    """A lifecycle button. GET asks for confirmation (retiring stops new dossiers using it)."""
    definition = _get(request, pk)
    labels = action_labels()
    if name not in labels:
        raise Http404
    if request.method == "GET":
        context = _context(
            request,
            _("%(action)s: confirm") % {"action": labels[name]},
            definition=definition,
            scope=scope_label(definition),
            action=name,
            action_label=labels[name],
        )
        return TemplateResponse(request, "workflows/definition_confirm.html", context)
    back = redirect(_detail_url(definition))
    try:
        if name == "test_run":
            run = definition_test_run(actor=request.user, definition=definition)
            if run.passed:
                messages.success(request, _("The test-run passed; the version may be activated."))
            else:
                messages.warning(
                    request,
                    _("The test-run found %(n)d problem(s); see the report below.")
                    % {"n": len(run.report.get("problems", []))},
                )
        elif name == "activate":
            definition_activate(actor=request.user, definition=definition)
            messages.success(
                request,
                _("Version %(n)s is active: new dossiers follow it.") % {"n": definition.number},
            )
        elif name == "retire":
            definition_retire(actor=request.user, definition=definition)
            messages.success(request, _("Version %(n)s is retired.") % {"n": definition.number})
        else:
            copy = definition_new_version(actor=request.user, definition=definition)
            messages.success(
                request, _("Version %(n)s is a new draft: change it here.") % {"n": copy.number}
            )
            return redirect(reverse("admin:workflows_definition_steps", args=[copy.pk]))
    except DomainError as exc:
        _error_messages(request, exc)
    return back


def definition_export_view(request, pk: int):
    definition = _get(request, pk)
    content = json.dumps(definition_export(definition), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    filename = f"quy-trinh-{definition.procedure.code}-v{definition.number}.json"
    response["Content-Disposition"] = attachment_header(filename)
    return response


# Step editor -------------------------------------------------------------------------------


def definition_steps(request, pk: int):
    """Change a draft's steps: one fieldset per step, or the whole document as JSON."""
    definition = _get(request, pk)
    if definition.status not in EDITABLE:
        messages.warning(
            request,
            _("Version %(n)s is %(s)s and can no longer change; make a new version.")
            % {"n": definition.number, "s": definition.get_status_display()},
        )
        return redirect(_detail_url(definition))
    document = definition.document
    province_units = agency_choices(definition.province_id)
    kwargs = {
        "unit_choices": province_units + extra_unit_choices(document, province_units),
        "role_choices": role_choices(),
        "prefix": "steps",
    }
    initial = [StepForm.initial_for(s) for s in document.get("steps", [])]
    known = known_units_of(document)
    meta_form = DefinitionMetaForm(initial={"name": definition.name, "note": definition.note})
    raw_form = RawJsonForm(initial={"document": definition_json(definition)})
    raw_errors: dict[str, list[str]] = {}
    general: list[str] = []
    show_errors = True
    formset = None

    if request.method == "POST" and "save_json" in request.POST:
        raw_form = RawJsonForm(request.POST)
        if raw_form.is_valid():
            try:
                definition_update(
                    actor=request.user,
                    definition=definition,
                    document=raw_form.cleaned_data["document"],
                )
            except InvalidInput as exc:
                raw_form.add_error(None, exc.message)
                raw_errors = exc.errors
            except DomainError as exc:
                raw_form.add_error(None, exc.message)
            else:
                messages.success(request, _("The steps were saved."))
                return redirect(_detail_url(definition))
    elif request.method == "POST":
        data = request.POST.copy()
        adding = "add_step" in data
        if adding:
            total = data.get("steps-TOTAL_FORMS", "0")
            data["steps-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
            show_errors = False
        formset = StepFormSet(
            data, initial=initial, next_choices=next_choices_for(document, data), **kwargs
        )
        meta_form = DefinitionMetaForm(data)
        if not adding and formset.is_valid() & meta_form.is_valid():
            steps = formset.documents(known)
            index_map = {position: form_index for position, (form_index, _doc) in enumerate(steps)}
            try:
                definition_update(
                    actor=request.user,
                    definition=definition,
                    name=meta_form.cleaned_data["name"],
                    note=meta_form.cleaned_data["note"],
                    document={"steps": [doc for _index, doc in steps]},
                )
            except InvalidInput as exc:
                errors = dict(exc.errors)
                for field in ("name", "note"):
                    for message in errors.pop(field, []):
                        meta_form.add_error(field, message)
                general = [exc.message, *apply_service_errors(formset, errors, index_map)]
            except DomainError as exc:
                general = [exc.message]
            else:
                messages.success(request, _("The steps were saved."))
                if "save_continue" in request.POST:
                    return redirect(reverse("admin:workflows_definition_steps", args=[pk]))
                return redirect(_detail_url(definition))
    if formset is None:
        formset = StepFormSet(initial=initial, next_choices=next_choices_for(document), **kwargs)

    # What the saved version still lacks, next to each step (only for what is saved).
    current: dict[str, list[str]] = {}
    overall: list[str] = []
    if request.method == "GET":
        for problem in definition_problems(definition):
            if problem.step_key:
                current.setdefault(problem.step_key, []).append(problem.message)
            else:
                overall.append(problem.message)
    steps = [
        (form, current.get(form.initial.get("key", ""), []) if form.initial else [])
        for form in formset.forms
    ]
    context = _context(
        request,
        _("Steps of %(name)s, version %(n)s") % {"name": definition.name, "n": definition.number},
        definition=definition,
        scope=scope_label(definition),
        formset=formset,
        steps=steps,
        meta_form=meta_form,
        raw_form=raw_form,
        raw_errors=raw_errors,
        general=general,
        overall=overall,
        failed=formset.is_bound and show_errors,
        adding=not show_errors,
    )
    return TemplateResponse(request, "workflows/definition_steps.html", context)


# Create and import -------------------------------------------------------------------------


def _scope_choices(user) -> tuple[list[Province], list[Agency]]:
    """The provinces a user may configure, and the agencies a definition may be made for."""
    allowed = agencies_where(user, MANAGE).filter(is_active=True)
    if user.is_superuser:
        provinces = Province.objects.filter(
            pk__in=Agency.objects.filter(parent__isnull=True, kind=AgencyKind.PROVINCE_PC).values(
                "province_id"
            )
        )
    else:
        provinces = Province.objects.filter(pk__in=allowed.values("province_id"))
    agencies = list(
        allowed.exclude(kind__in=[AgencyKind.DESK, AgencyKind.ONE_STOP_UNIT])
        .filter(province__in=provinces)
        .order_by("province_id", "path")
    )
    return list(provinces.order_by("name")), agencies


def _form_errors(form, exc: InvalidInput) -> dict[str, list[str]]:
    """Errors of the scope fields onto the form; the others (steps…) returned for a table."""
    rest: dict[str, list[str]] = {}
    for key, problems in exc.errors.items():
        for problem in problems:
            if key in form.fields:
                form.add_error(key, problem)
            else:
                rest.setdefault(key, []).append(problem)
    form.add_error(None, exc.message)
    return rest


def definition_create_view(request):
    """A new draft: procedure, scope, and the usual five steps or a copy of another workflow."""
    provinces, agencies = _scope_choices(request.user)
    sources = list(
        definitions_list(user=request.user)
        .exclude(status=DefinitionStatus.RETIRED)
        .select_related("procedure")[:300]
    )
    form = DefinitionCreateForm(
        request.POST or None, provinces=provinces, agencies=agencies, sources=sources
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["start"]
        try:
            definition = definition_create(
                actor=request.user,
                procedure=data["procedure"],
                province=Province.objects.get(pk=data["province"]),
                agency=data["agency"],
                name=data["name"] or (source.name if source else data["procedure"].name),
                document=source.document if source else empty_template(),
                note=data["note"],
            )
        except InvalidInput as exc:
            errors = _form_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Version %(n)s is a new draft: change it here.") % {"n": definition.number},
            )
            return redirect(reverse("admin:workflows_definition_steps", args=[definition.pk]))
    context = _context(request, _("New processing workflow"), form=form, errors=errors)
    return TemplateResponse(request, "workflows/definition_create.html", context)


def definition_import_view(request):
    """A draft from another province's (or installation's) JSON export, units re-mapped."""
    provinces, agencies = _scope_choices(request.user)
    form = DefinitionImportForm(
        request.POST or None, request.FILES or None, provinces=provinces, agencies=agencies
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition, notes = definition_import(
                actor=request.user,
                procedure=data["procedure"],
                province=Province.objects.get(pk=data["province"]),
                agency=data["agency"],
                data=data["file"],
            )
        except InvalidInput as exc:
            errors = _form_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Imported as version %(n)s, a draft: check it, then run a test.")
                % {"n": definition.number},
            )
            for note in notes:
                messages.info(request, note)
            return redirect(_detail_url(definition))
    context = _context(request, _("Import a workflow"), form=form, errors=errors)
    return TemplateResponse(request, "workflows/definition_import.html", context)
