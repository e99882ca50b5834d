"""Our own record of every look-up in a national register (DOMAIN-integration.md §6: each
look-up is logged — account, time, agency, input, purpose). Reading a citizen's personal data is
sensitive: the record keeps who asked and what for, and only what verifying the applicant needs
(the folded name found), never the whole answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Register(models.TextChoices):
    POPULATION = "population_db", _("National population database")
    BUSINESS = "business_registry", _("National business registration system")


class Outcome(models.TextChoices):
    FOUND = "found", _("Found")
    NOT_FOUND = "not_found", _("Not found")
    UNAVAILABLE = "unavailable", _("Register unavailable")


class Purpose(models.TextChoices):
    RECEPTION = "reception", _("Reception at the desk")
    INTAKE = "intake", _("Online intake")
    API = "api", _("Look-up through the API")


class RegisterLookup(models.Model):
    """Tra cứu CSDL dân cư / đăng ký doanh nghiệp: one look-up, its asker and its outcome."""

    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    number = models.CharField(_("identity number or tax code"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    procedure_code = models.CharField(_("procedure"), max_length=40, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # core.textnorm.fold of the name the register holds (to verify the applicant's name).
    name_folded = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("register look-up")
        verbose_name_plural = _("register look-ups")
        indexes = [models.Index(fields=["actor", "number", "at"], name="people_lookup_actor_idx")]

    def __str__(self) -> str:
        return f"{self.register} {self.number} {self.outcome}"
