from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Thanh toán trực tuyến: fees, payments through the national portal's platform, receipts,
    refunds and the daily reconciliation (R11)."""

    name = "motcua.payments"
    label = "payments"
    verbose_name = _("Online payments")
