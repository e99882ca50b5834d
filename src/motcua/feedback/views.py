"""The applicant's rating page, reached from the tracking result of an ended dossier
(/tra-cuu-ho-so/danh-gia/?ma=<code>): no login, no JavaScript, the tracking page's limits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motcua.core.errors import DomainError, InvalidInput
from motcua.portal.tracking import tracking_guard

from .constants import Source
from .forms import RatingForm
from .services import rating_submit

# The service's field names → the form's.
_FIELDS = {"identity_number": "so_dinh_danh", "level": "muc_do", "comment": "noi_dung"}


def rate(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = RatingForm(initial={"ma": request.GET.get("ma", "").strip()[:60]})
        return render(request, "feedback/rate.html", {"form": form})
    form = RatingForm(request.POST)
    context: dict = {"form": form, "error": ""}
    if not form.is_valid():
        context["failed"] = True
        return render(request, "feedback/rate.html", context, status=422)
    data = form.cleaned_data
    try:
        rating = tracking_guard(
            request,
            data["ma"],
            lambda: rating_submit(
                code=data["ma"],
                identity_number=data["so_dinh_danh"],
                level=data["muc_do"],
                marks=form.marks(),
                comment=data["noi_dung"],
                source=Source.TRACKING,
                actor=request.user,
            ),
        )
    except InvalidInput as exc:
        for key, messages in exc.errors.items():
            name = _FIELDS.get(key) or ("tc_" + key.split(".", 1)[1] if "." in key else None)
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        context["failed"] = True
        return render(request, "feedback/rate.html", context, status=exc.status)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "feedback/rate.html", context, status=exc.status)
    return render(request, "feedback/rated.html", {"rating": rating})
