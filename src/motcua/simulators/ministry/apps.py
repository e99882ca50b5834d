from django.apps import AppConfig


class MinistrySimulatorConfig(AppConfig):
    """Ministries' systems and the coordination system (simulated)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "motcua.simulators.ministry"
    label = "sim_ministry"
    verbose_name = "Ministry / coordination system simulator"
