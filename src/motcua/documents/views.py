"""The "Giấy tờ" actions of the officials' dossier page, and downloading a paper (officials
and the applicant alike). Each view parses its form, calls one service or selector, and goes
back to the dossier page (POST-redirect-GET); a refusal is said there, and nothing is stored.
Without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.core.errors import Conflict, DomainError, InvalidInput, NotFound
from motcua.dossiers.selectors import dossier_get
from motcua.dossiers.views import official_required

from . import selectors, services
from .forms import DigitizeForm, ReplaceForm, UploadForm
from .models import Document

SECTION = "#giay-to"


def _back(dossier_id: int) -> HttpResponse:
    return redirect(reverse("dossiers:detail", args=[dossier_id]) + SECTION)


def _errors(request: HttpRequest, exc: InvalidInput | None = None, form=None) -> None:
    texts: list[str] = []
    if exc is not None:
        texts = [m for msgs in exc.errors.values() for m in msgs] or [str(exc.message)]
    if form is not None:
        texts += [
            f"{form[name].label}: {m}" if name != "__all__" else m
            for name, msgs in form.errors.items()
            for m in msgs
        ]
    for text in dict.fromkeys(texts):
        messages.error(request, _("Nothing was stored: %(error)s") % {"error": text})


def _document(request: HttpRequest, pk: int) -> Document:
    try:
        return selectors.document_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _run(request: HttpRequest, dossier_id: int, call) -> HttpResponse:
    try:
        call()
    except InvalidInput as exc:
        _errors(request, exc)
    except NotFound:
        raise Http404 from None
    except (Conflict, DomainError) as exc:
        messages.error(request, exc.message)
    return _back(dossier_id)


@official_required
@require_POST
def document_upload(request: HttpRequest, dossier_id: int) -> HttpResponse:
    try:
        dossier = dossier_get(user=request.user, pk=dossier_id)
    except NotFound:
        raise Http404 from None
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form=form)
        return _back(dossier.pk)
    component = None
    if form.cleaned_data.get("component"):
        component = dossier.components.filter(pk=form.cleaned_data["component"]).first()
        if component is None:
            raise Http404

    def call():
        upload = form.cleaned_data["file"]
        document = services.document_add(
            actor=request.user,
            dossier=dossier,
            component=component,
            content=upload,
            name=upload.name or "",
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, _("%(name)s was stored.") % {"name": document.original_name})

    return _run(request, dossier.pk, call)


@official_required
@require_POST
def document_replace(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = ReplaceForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form=form)
        return _back(document.dossier_id)

    def call():
        upload = form.cleaned_data["file"]
        new = services.document_replace(
            actor=request.user, document=document, content=upload, name=upload.name or ""
        )
        messages.success(
            request,
            _("%(name)s was stored as version %(version)s.")
            % {"name": new.original_name, "version": new.version},
        )

    return _run(request, document.dossier_id, call)


@official_required
@require_POST
def document_digitize(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    form = DigitizeForm(request.POST, prefix=f"so-hoa-{pk}")
    if not form.is_valid():
        _errors(request, form=form)
        return _back(document.dossier_id)

    def call():
        services.document_digitize(actor=request.user, document=document, data=form.digitization())
        messages.success(
            request, _("%(name)s is marked digitized.") % {"name": document.original_name}
        )

    return _run(request, document.dossier_id, call)


@require_safe
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper's file, for whoever may open it (officials who see the dossier, the applicant
    logged in with VNeID); anyone else: the login page, or 404. Every read is audited."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        opened = selectors.document_open(
            user=request.user, document=selectors.document_get(user=request.user, pk=pk)
        )
    except NotFound:
        raise Http404 from None
    return file_response(opened)


def file_response(opened: selectors.Opened) -> FileResponse:
    document = opened.document
    response = FileResponse(
        opened.file,
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["Content-Length"] = str(document.size)
    # A paper is personal data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _component(request: HttpRequest, component_id: int):
    """The dossier component, on a dossier the official may see; 404 otherwise."""
    from motcua.dossiers.models import DossierComponent

    dossier_id = (
        DossierComponent.objects.filter(pk=component_id)
        .values_list("dossier_id", flat=True)
        .first()
    )
    if dossier_id is None:
        raise Http404
    try:
        dossier = dossier_get(user=request.user, pk=dossier_id)
    except NotFound:
        raise Http404 from None
    return dossier, dossier.components.get(pk=component_id)


@official_required
@require_POST
def document_reuse(request: HttpRequest, component_id: int) -> HttpResponse:
    """Tái sử dụng: the component satisfied by a paper of the applicant's data warehouse."""
    dossier, component = _component(request, component_id)
    try:
        document_id = int(request.POST.get("document") or "")
    except ValueError:
        messages.error(request, _("Choose a paper of the applicant's data warehouse."))
        return _back(dossier.pk)
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404

    def call():
        services.document_reuse(
            actor=request.user, dossier=dossier, component=component, document=document
        )
        messages.success(
            request,
            _("%(name)s was reused from the applicant's data warehouse.")
            % {"name": document.original_name},
        )

    return _run(request, dossier.pk, call)


@official_required
@require_POST
def document_national_lookup(request: HttpRequest, component_id: int) -> HttpResponse:
    """Tra cứu CSDL quốc gia: the component satisfied from the national database."""
    dossier, component = _component(request, component_id)

    def call():
        services.document_from_national_database(
            actor=request.user, dossier=dossier, component=component
        )
        messages.success(
            request,
            _("%(component)s was taken from the national database.")
            % {"component": component.name[:80]},
        )

    return _run(request, dossier.pk, call)
