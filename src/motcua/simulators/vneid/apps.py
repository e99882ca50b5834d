from django.apps import AppConfig


class VneidSimulatorConfig(AppConfig):
    """VNeID (simulated): a minimal OpenID Connect provider returning the VNeID attributes
    (DOMAIN-integration.md §3.1), for the citizens' login in the demo and the tests."""

    name = "motcua.simulators.vneid"
    label = "sim_vneid"
    verbose_name = "VNeID simulator"
