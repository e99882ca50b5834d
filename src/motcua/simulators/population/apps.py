from django.apps import AppConfig


class PopulationSimulatorConfig(AppConfig):
    """CSDL quốc gia về dân cư (simulated): answers look-ups from a seeded set of citizens and
    logs every look-up, as the real service does."""

    name = "motcua.simulators.population"
    label = "sim_population"
    verbose_name = "Population database simulator"
