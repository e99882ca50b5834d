from django.apps import AppConfig


class NationalPortalSimulatorConfig(AppConfig):
    """Cổng DVC quốc gia (simulated): the procedure-catalog API, served from bundled records, and
    the dossier sync (sync.py), which stores what it receives in its own tables."""

    name = "motcua.simulators.national_portal"
    label = "sim_national_portal"
    # No pages: nothing here is ever shown to a user, so no translation is needed.
    verbose_name = "National portal simulator"
