"""The payment pages: the official's page of a dossier's fees and payments, the applicant's
"Thanh toán trực tuyến" buttons, the browser's return from the platform, the receipts, and the
reconciliation reports. Each parses, calls one service or selector, renders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from motcua.core.proxies import client_address
from motcua.dossiers.views import official_required

from . import reconciliation, selectors, services
from .receipts import receipt_pdf


def _exemptions(request: HttpRequest) -> list[str]:
    return [k for k in request.POST.getlist("mien_giam") if k][:20]


@official_required
def dossier_payments(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """Phí, lệ phí of a dossier: compute (with exemptions), ask the applicant, follow up."""
    try:
        d = selectors.dossier_for_official(actor=request.user, dossier_id=dossier_id)
    except NotFound:
        raise Http404 from None
    chosen = _exemptions(request) if request.method == "POST" else []
    status = 200
    if request.method == "POST" and request.POST.get("action") == "request":
        try:
            version = int(request.POST.get("version") or 0)
        except ValueError:
            version = 0
        try:
            services.payment_request(
                actor=request.user,
                dossier=d,
                expected_version=version,
                exemptions=chosen,
                note=request.POST.get("note", "")[:500],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(
                request, _("The fees were asked of the applicant; the clock is paused.")
            )
            return redirect("payments:dossier", dossier_id=d.pk)
    elif request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405)
    try:
        computed = services.fees_for(actor=request.user, dossier=d, exemptions=chosen)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        computed, status = services.fees_for(actor=request.user, dossier=d), 422
    payments = list(selectors.payments_of(actor=request.user, dossier=d))
    context = {
        "d": d,
        "computed": computed,
        "chosen": chosen,
        "categories": selectors.exemption_list(),
        "payments": payments,
        "may_request": services.lifecycle.allowed(
            services.Op.PAYMENT_REQUEST, request.user, d, services.Context(now=timezone.now())
        ),
        "may_refund": services.may_refund(request.user, d),
    }
    return render(request, "payments/dossier.html", context, status=status)


@official_required
@require_POST
def payment_check(request: HttpRequest, payment_id: int) -> HttpResponse:
    try:
        p = selectors.payment_get(actor=request.user, payment_id=payment_id)
        p = services.payment_check(actor=request.user, payment=p)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Checked with the platform: %(status)s.") % {"status": p.get_status_display()},
        )
    return redirect("payments:dossier", dossier_id=p.dossier_id)


@official_required
@require_POST
def payment_refund(request: HttpRequest, payment_id: int) -> HttpResponse:
    try:
        p = selectors.payment_get(actor=request.user, payment_id=payment_id)
    except NotFound:
        raise Http404 from None
    try:
        amount = int((request.POST.get("amount_vnd") or "").replace(".", "").strip())
    except ValueError:
        amount = 0
    try:
        services.payment_refund(
            actor=request.user, payment=p, amount_vnd=amount, reason=request.POST.get("reason", "")
        )
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The refund was made."))
    return redirect("payments:dossier", dossier_id=p.dossier_id)


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
def receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Our receipt: for an official who may see the dossier, or for its logged-in applicant."""
    try:
        p = selectors.payment_get(actor=request.user, payment_id=payment_id)
        pdf = receipt_pdf(actor=request.user, payment=p)
    except (NotFound, DomainError):
        raise Http404 from None
    return _pdf(pdf, f"bien-lai-{p.receipt_number}.pdf")


@official_required
@require_safe
def platform_receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    try:
        p = selectors.payment_get(actor=request.user, payment_id=payment_id)
        pdf = services.payment_platform_receipt(actor=request.user, payment=p)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("payments:dossier", dossier_id=p.dossier_id)
    return _pdf(pdf, f"bien-lai-nen-tang-{p.reference}.pdf")


@require_POST
def start_public(request: HttpRequest) -> HttpResponse:
    """ "Thanh toán trực tuyến" from the tracking page: code + identity number (or phone)."""
    from motcua.portal.tracking import tracking_guard

    code = (request.POST.get("ma") or "").strip()[:60]
    factor = (request.POST.get("xac_thuc") or "").strip()[:20]
    try:
        p = tracking_guard(
            request,
            code,
            lambda: services.payment_start_public(
                code=code, factor=factor, ip=client_address(request)
            ),
        )
    except DomainError as exc:
        return render(
            request, "payments/start_failed.html", {"message": exc.message}, status=exc.status
        )
    return HttpResponseRedirect(p.pay_url)


@require_POST
def start_mine(request: HttpRequest, code: str) -> HttpResponse:
    """ "Thanh toán trực tuyến" from "Hồ sơ của tôi"."""
    from motcua.citizens.selectors import my_dossier_get

    try:
        d = my_dossier_get(user=request.user, code=code)
        p = services.payment_start(actor=request.user, dossier=d, ip=client_address(request))
    except (NotFound, NotAllowed):
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("citizens:my_dossier", code=code)
    return HttpResponseRedirect(p.pay_url)


@require_safe
def payment_return(request: HttpRequest) -> HttpResponse:
    """The browser back from the platform: what we know now; the platform's confirmation, not
    this page, records the payment."""
    p = services.payment_return(query=request.GET)
    return render(
        request,
        "payments/return.html",
        {"p": p, "response_code": request.GET.get("responseCode", "")[:4]},
    )


@official_required
def reconciliations(request: HttpRequest) -> HttpResponse:
    """Đối soát: the runs, and a form to run one for a day."""
    status = 200
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("ngay", ""))
        except ValueError:
            messages.error(request, _("Enter the day as YYYY-MM-DD."))
            status = 422
        else:
            try:
                run = reconciliation.payments_reconcile(day=day, actor=request.user)
            except NotAllowed:
                raise PermissionDenied from None
            return redirect("payments:reconciliation", run_id=run.pk)
    try:
        runs = selectors.reconciliation_list(actor=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return render(
        request,
        "payments/reconciliations.html",
        {"runs": runs, "yesterday": yesterday},
        status=status,
    )


@official_required
@require_safe
def reconciliation_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = selectors.reconciliation_get(actor=request.user, run_id=run_id)
    except NotAllowed:
        raise PermissionDenied from None
    except NotFound:
        raise Http404 from None
    return render(request, "payments/reconciliation.html", {"run": run})
