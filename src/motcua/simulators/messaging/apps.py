from django.apps import AppConfig


class MessagingSimulatorConfig(AppConfig):
    """SMS brandname and e-mail gateways (simulated)."""

    name = "motcua.simulators.messaging"
    label = "sim_messaging"
    verbose_name = "SMS and e-mail gateway simulator"
