"""Our electronic receipt (biên lai điện tử) of a paid payment, a PDF made on demand.

Rendered with WeasyPrint and the bundled font like the printed forms (motcua.printing), from the
payment's recorded items, so the same payment always gives the same receipt. The receipt's legal
form (Decree 123/2020/NĐ-CP on invoices and receipts, amended by Decree 70/2025/NĐ-CP) is
UNCONFIRMED (DOMAIN-legal.md §8): the fields below are those the platform's receipt carries.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core.errors import Conflict, NotFound
from motcua.core.workcalendar import TZ
from motcua.printing.pdf import render_pdf

from .models import Payment
from .services import may_view
from .words import vnd_in_words


def receipt_context(payment: Payment) -> dict:
    d = payment.dossier
    return {
        "p": payment,
        "d": d,
        "agency": d.competent_agency,
        "procedure": d.procedure_version.name,
        "paid_at": payment.paid_at.astimezone(TZ),
        "lines": [line for line in payment.lines if line.get("amount_vnd", 0) > 0] or payment.lines,
        "amount_words": vnd_in_words(payment.amount_vnd),
    }


def receipt_pdf(*, actor: User | None, payment: Payment) -> bytes:
    """The receipt, for an official who may see the dossier or for its applicant."""
    if not may_view(actor, payment.dossier):
        raise NotFound(_("Payment not found."))
    if payment.paid_at is None:
        raise Conflict(_("There is no receipt before the payment is made."), code="not_paid")
    with translation.override("vi"):  # a Vietnamese document, whatever the page's language
        return render_pdf("payments/receipt.html", receipt_context(payment))
