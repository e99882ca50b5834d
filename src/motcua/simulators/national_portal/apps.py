from django.apps import AppConfig


class NationalPortalSimulatorConfig(AppConfig):
    """Cổng DVC quốc gia (simulated): the procedure-catalog API, served from bundled records."""

    name = "motcua.simulators.national_portal"
    label = "sim_national_portal"
    # No models and no pages, so nothing here is ever shown to a user: no translation needed.
    verbose_name = "National portal simulator"
