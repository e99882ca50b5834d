from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Look-ups of applicants in the national registers: the population database (CSDL quốc gia
    về dân cư) and business registration (đăng ký doanh nghiệp)."""

    name = "motcua.people"
    verbose_name = _("Citizen and business look-ups")
