"""The citizens' pages: log in and out through VNeID, "Hồ sơ của tôi" and a dossier's page.

Views parse, call one service or selector, render. The login's checks are the adapter's
(adapters/vneid), the account is `services.citizen_login`'s, what a citizen may see the
selectors', whether they may withdraw or answer a supplement request online the lifecycle's
(`dossiers.lifecycle`, Op.WITHDRAW, Op.SUPPLEMENT_RECEIVED)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from motcua.adapters import vneid
from motcua.core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from motcua.dossiers import services as dossier_services
from motcua.feedback.constants import Source
from motcua.feedback.forms import AccountRatingForm
from motcua.feedback.services import rating_submit

from . import selectors, services

SESSION_ID_TOKEN = "vneid_id_token"  # noqa: S105 — a session key's name
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "citizens/login_error.html", {"message": message}, status=status)


@require_safe
def vneid_start(request: HttpRequest) -> HttpResponse:
    """Đăng nhập bằng VNeID: off to the identity provider."""
    if not vneid.configured():
        return _refused(request, _("Login with VNeID is not configured here."), 503)
    try:
        return vneid.start(request)
    except vneid.IdentityError as exc:
        services.citizen_login_failed(reason=exc.code, detail=exc.detail)
        return _refused(request, _("VNeID does not answer now. Try again in a few minutes."), 503)


@require_safe
def vneid_callback(request: HttpRequest) -> HttpResponse:
    """Back from the identity provider: verify, then log the citizen in."""
    try:
        identity = vneid.finish(request)
    except vneid.IdentityError as exc:
        services.citizen_login_failed(reason=exc.code, detail=exc.detail)
        if exc.code == "access_denied":
            message = _("You did not agree to share your identity: you are not logged in.")
        elif exc.code == "unavailable":
            return _refused(
                request, _("VNeID does not answer now. Try again in a few minutes."), 503
            )
        else:
            message = _("The login could not be verified. Start again from “Log in with VNeID”.")
        return _refused(request, message, 400)
    try:
        user = services.citizen_login(identity=identity)
    except NotAllowed as exc:
        return _refused(request, exc.message, 403)
    login(request, user, backend=BACKEND)
    # For the provider's end-session at logout (id_token_hint).
    request.session[SESSION_ID_TOKEN] = identity.id_token
    return redirect("citizens:my_dossiers")


@require_POST
def vneid_logout(request: HttpRequest) -> HttpResponse:
    """Đăng xuất: ours, then the provider's end-session."""
    id_token = request.session.get(SESSION_ID_TOKEN, "")
    logout(request)
    url = vneid.logout_url(
        id_token=id_token, post_logout_redirect_uri=settings.VNEID_POST_LOGOUT_URI
    )
    return HttpResponseRedirect(url or "/")


def _not_citizen(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    status = 403 if request.user.is_authenticated else 401
    return render(request, "citizens/login_needed.html", {"message": exc.message}, status=status)


@require_safe
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """Hồ sơ của tôi."""
    try:
        page = int(request.GET.get("trang") or 1)
    except ValueError:
        page = 1
    try:
        account = selectors.citizen_account(request.user)
        rows, more = selectors.my_dossiers(user=request.user, page=page)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    return render(
        request,
        "citizens/my_dossiers.html",
        {"account": account, "rows": rows, "page": max(page, 1), "more": more},
    )


@require_safe
def my_warehouse(request: HttpRequest) -> HttpResponse:
    """Kho dữ liệu của tôi: my digitized papers, results and certified copies (R10)."""
    from motcua.documents.warehouse import my_warehouse as warehouse_of

    try:
        account = selectors.citizen_account(request.user)
        items = warehouse_of(user=request.user)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    return render(request, "citizens/my_warehouse.html", {"account": account, "items": items})


def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """One of my dossiers; POST withdraws it (the lifecycle decides whether that is possible)."""
    try:
        if request.method == "POST":
            d = selectors.my_dossier_get(user=request.user, code=code)
            try:
                version = int(request.POST.get("version") or 0)
            except ValueError:
                version = 0
            try:
                dossier_services.dossier_withdraw(
                    actor=request.user,
                    dossier=d,
                    expected_version=version,
                    reason=request.POST.get("reason", ""),
                )
            except (NotFound, NotAllowed):
                raise
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Your dossier has been withdrawn."))
            return redirect("citizens:my_dossier", code=d.code)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
        view = selectors.my_dossier(user=request.user, code=code)
    except NotFound as exc:
        return render(request, "citizens/not_found.html", {"message": exc.message}, status=404)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    return render(request, "citizens/my_dossier.html", {"d": view, **_supplement_form(view)})


@require_safe
def my_dossier_notice(request: HttpRequest, code: str, key: str) -> HttpResponse:
    """A form the agency addressed to me about my dossier (the receipt and appointment, a
    supplement request, a refusal, an apology letter, a stop notice), as PDF."""
    try:
        pdf, name = selectors.my_notice_pdf(user=request.user, code=code, key=key)
    except NotFound as exc:
        return render(request, "citizens/not_found.html", {"message": exc.message}, status=404)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _supplement_form(
    view: selectors.MyDossier, errors: dict[str, list[str]] | None = None, note: str = ""
) -> dict:
    """The online supplement form's items (each with its input `muc-<n>` and its refusals)."""
    if not view.may_supplement or view.request is None or view.request.kind != "supplement":
        return {}
    errors = errors or {}
    items = [
        {"n": n, "text": text, "errors": errors.get(f"item_{n}", [])}
        for n, text in enumerate(view.request.items, start=1)
    ]
    general = [m for key in ("files", "items") for m in errors.get(key, [])]
    return {"supplement_items": items, "supplement_errors": general, "supplement_note": note}


_ITEM_FIELD = re.compile(r"^muc-(\d{1,3})$")


@require_POST
def my_dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Nộp bổ sung trực tuyến: the files for each item the supplement request asked for
    (inputs `muc-<n>`, several files each), checked and stored by `my_supplement_submit`, or
    every refusal shown at once with nothing stored."""
    files = [
        services.SupplementFile(item=int(match.group(1)), upload=upload, name=upload.name or "")
        for key in request.FILES
        if (match := _ITEM_FIELD.match(key))
        for upload in request.FILES.getlist(key)
    ]
    try:
        version = int(request.POST.get("version") or 0)
    except ValueError:
        version = 0
    note = request.POST.get("note", "")[:2000]
    try:
        services.my_supplement_submit(
            actor=request.user, code=code, expected_version=version, files=files, note=note
        )
    except NotFound as exc:
        return render(request, "citizens/not_found.html", {"message": exc.message}, status=404)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    except InvalidInput as exc:
        view = selectors.my_dossier(user=request.user, code=code)
        context = {"d": view, "refused": exc.message, **_supplement_form(view, exc.errors, note)}
        return render(request, "citizens/my_dossier.html", context, status=422)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "Your supplement was submitted. The agency continues with your dossier; "
                "follow its progress here."
            ),
        )
    return redirect("citizens:my_dossier", code=code.strip())


def my_dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    """Rate one of my ended dossiers (GET: the form; POST: `rating_submit` as the account)."""
    try:
        account = selectors.citizen_account(request.user)
        view = selectors.my_dossier(user=request.user, code=code)
    except NotFound as exc:
        return render(request, "citizens/not_found.html", {"message": exc.message}, status=404)
    except NotAllowed as exc:
        return _not_citizen(request, exc)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = AccountRatingForm(request.POST if request.method == "POST" else None)
    context = {"d": view, "form": form, "error": ""}
    if request.method != "POST":
        return render(request, "citizens/my_dossier_rate.html", context)
    if not form.is_valid():
        context["failed"] = True
        return render(request, "citizens/my_dossier_rate.html", context, status=422)
    try:
        rating_submit(
            code=view.row.code,
            identity_number=account.number,
            level=form.cleaned_data["muc_do"],
            marks=form.marks(),
            comment=form.cleaned_data["noi_dung"],
            source=Source.ACCOUNT,
            actor=request.user,
        )
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "citizens/my_dossier_rate.html", context, status=exc.status)
    messages.success(request, _("Thank you: your rating has been sent."))
    return redirect("citizens:my_dossier", code=view.row.code)
