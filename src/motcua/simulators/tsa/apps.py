from django.apps import AppConfig


class TsaSimulatorConfig(AppConfig):
    """An RFC 3161 time-stamping authority (simulated) with its certificate from the local
    test PKI."""

    name = "motcua.simulators.tsa"
    label = "sim_tsa"
    verbose_name = "Time-stamping authority simulator"
