"""The officials' pages of "Chứng thực bản sao điện tử" (/chung-thuc/): the form, the result
(download, verification link) and the agency's certification book with its .xlsx. Each view
parses, calls one service or selector, renders; without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from motcua.catalog.views import attachment_header
from motcua.core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from motcua.core.spreadsheets import XLSX_CONTENT_TYPE
from motcua.dossiers.views import official_required

from . import selectors, services
from .exports import book_xlsx as make_book_xlsx
from .forms import CertifyForm
from .permissions import certifying_agencies, readable_agencies


def copy_response(opened: selectors.OpenedCopy) -> FileResponse:
    """The signed copy as a PDF download, never kept by a shared cache (personal data)."""
    entry, document = opened.entry, opened.entry.document
    response = FileResponse(
        opened.file,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"ban-sao-chung-thuc-{entry.year}-{entry.number:05d}.pdf",
    )
    response["Content-Length"] = str(document.size)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@official_required
@require_http_methods(["GET", "HEAD", "POST"])
def certify(request: HttpRequest) -> HttpResponse:
    agencies = certifying_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    form = CertifyForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.copy_certify(
                actor=request.user,
                agency=form.cleaned_data["agency"],
                scan=form.cleaned_data["scan"],
                scan_name=form.cleaned_data["scan"].name or "",
                requester=form.requester(),
                original=form.original(),
                copies=form.cleaned_data["copies"],
            )
        except InvalidInput as exc:
            form.add_service_errors(exc.errors or {"__all__": [exc.message]})
        except NotAllowed:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Copy certified: number %(n)s, book %(book)s.")
                % {"n": entry.number, "book": entry.book},
            )
            return redirect("certification:detail", entry.pk)
    recent = selectors.entries_list(user=request.user)[:10]
    return render(request, "certification/certify.html", {"form": form, "recent": recent})


@official_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.entry_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    from motcua.signing.services import verification_url

    url = verification_url(entry.signed.lookup_key) if entry.signed_id else ""
    return render(request, "certification/detail.html", {"entry": entry, "verification_url": url})


@official_required
@require_safe
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = selectors.entry_get(user=request.user, pk=pk)
        return copy_response(selectors.certified_copy_open(user=request.user, entry=entry))
    except NotFound:
        raise Http404 from None


def _book_filter(request: HttpRequest):
    agencies = list(readable_agencies(request.user))
    if not agencies:
        raise PermissionDenied
    by_pk = {a.pk: a for a in agencies}
    try:
        agency = by_pk.get(int(request.GET.get("co-quan", "")))
    except ValueError:
        agency = None
    agency = agency or agencies[0]
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        year = timezone.localdate().year
    year = year if 2000 <= year <= 9999 else timezone.localdate().year
    return agencies, agency, year


@official_required
@require_safe
def book(request: HttpRequest) -> HttpResponse:
    agencies, agency, year = _book_filter(request)
    entries = selectors.entries_list(user=request.user, agency=agency, year=year)
    context = {"agencies": agencies, "agency": agency, "year": year, "entries": entries}
    return render(request, "certification/book.html", context)


@official_required
@require_safe
def book_xlsx(request: HttpRequest) -> HttpResponse:
    _agencies, agency, year = _book_filter(request)
    entries = selectors.entries_list(user=request.user, agency=agency, year=year)
    title = _("Certification book %(year)s – %(agency)s") % {"year": year, "agency": agency.name}
    response = HttpResponse(make_book_xlsx(entries, title=title), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(f"so-chung-thuc-ban-sao-{year}.xlsx")
    return response
