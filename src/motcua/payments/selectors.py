"""Reads of the payments app that filter by permission: "not found" for what the actor may not
see (STYLE rule 3)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.accounts.authz import can
from motcua.accounts.constants import Action
from motcua.accounts.models import User
from motcua.core.errors import NotAllowed, NotFound
from motcua.dossiers.models import Dossier

from .models import ExemptionCategory, Payment, PaymentReconciliation
from .reconciliation import may_reconcile
from .services import may_view


def dossier_for_official(*, actor: User, dossier_id: int) -> Dossier:
    d = (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "competent_agency", "step_agency"
        )
        .filter(pk=dossier_id)
        .first()
    )
    if d is None or actor is None or not can(actor, Action.DOSSIER_VIEW, d):
        raise NotFound(_("Dossier not found."))
    return d


def payments_of(*, actor: User, dossier: Dossier) -> QuerySet[Payment]:
    if not may_view(actor, dossier):
        raise NotFound(_("Dossier not found."))
    return (
        Payment.objects.filter(dossier=dossier)
        .select_related("created_by")
        .prefetch_related("refunds")
        .order_by("-id")
    )


def payment_get(*, actor: User, payment_id: int) -> Payment:
    p = (
        Payment.objects.select_related(
            "dossier",
            "dossier__procedure",
            "dossier__procedure_version",
            "dossier__competent_agency",
        )
        .filter(pk=payment_id)
        .first()
    )
    if p is None or not may_view(actor, p.dossier):
        raise NotFound(_("Payment not found."))
    return p


def exemption_list() -> list[ExemptionCategory]:
    return list(ExemptionCategory.objects.filter(is_active=True))


def reconciliation_list(*, actor: User, limit: int = 50) -> list[PaymentReconciliation]:
    if not may_reconcile(actor):
        raise NotAllowed(_("You do not have permission for this action."))
    return list(PaymentReconciliation.objects.prefetch_related("differences")[:limit])


def reconciliation_get(*, actor: User, run_id: int) -> PaymentReconciliation:
    if not may_reconcile(actor):
        raise NotAllowed(_("You do not have permission for this action."))
    run = PaymentReconciliation.objects.prefetch_related("differences").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Not found."))
    return run
