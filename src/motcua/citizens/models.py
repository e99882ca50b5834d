"""The citizen's (or organization's) account as the identity provider vouched for it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import ApplicantKind


class CitizenAccount(models.Model):
    """Tài khoản công dân, tổ chức đăng nhập bằng VNeID: keyed by the personal identification
    number (an organization's code), the key of the applicant on every dossier.

    Its user is always a citizen or organization account, never an official's (`accounts.User`
    of kind citizen/organization: no grants, no staff flag, no password), even when an official
    holds the same identity number: `can()` refuses it every action."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="citizen_account"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=ApplicantKind.choices)
    number = models.CharField(_("identity number or organization code"), max_length=20)
    # What the provider said at the last login (DOMAIN-integration.md §3.1).
    subject = models.CharField(_("VNeID subject"), max_length=255)
    tech_id = models.CharField(_("national portal account (TechID)"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=150)
    birth_date = models.CharField(_("date of birth"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    ial = models.CharField(_("identity assurance level"), max_length=10, blank=True)
    loa = models.CharField(_("level of assurance"), max_length=10, blank=True)
    representative_name = models.CharField(_("representative"), max_length=150, blank=True)
    representative_number = models.CharField(
        _("representative's identity number"), max_length=12, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"))

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="citizen_account_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
