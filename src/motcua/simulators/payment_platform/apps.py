from django.apps import AppConfig


class PaymentPlatformSimulatorConfig(AppConfig):
    """Nền tảng thanh toán trên Cổng DVCQG (simulated): takes INIT, shows a payment page, confirms
    to the province (IPN), answers status checks, receipts, refunds and a daily list."""

    name = "motcua.simulators.payment_platform"
    label = "sim_payment_platform"
    verbose_name = "Payment platform simulator"
