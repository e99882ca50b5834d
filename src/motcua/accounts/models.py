"""Users (officials, citizens, organizations), roles and scoped grants."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import Action

# Vietnamese numbers: mobile 0[35789]xxxxxxxx, landline 02xxxxxxxxx; +84 accepted on input.
PHONE_RE = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")
phone_validator = RegexValidator(
    PHONE_RE,
    _("Enter a Vietnamese phone number, e.g. 0912345678 or 02773123456."),
    code="phone",
)
# Personal identification number (số định danh cá nhân): 12 digits (Law on Identification 2023).
identity_number_validator = RegexValidator(
    r"^\d{12}$", _("A personal identification number has 12 digits."), code="identity_number"
)


class User(AbstractUser):
    """Tài khoản: an official (cán bộ, công chức), a citizen or an organization.

    Officials log in with a username and password (single sign-on later); citizens and
    organizations log in through VNeID in a later issue and are only modelled here.
    """

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official")
        CITIZEN = "citizen", _("Citizen")
        ORGANIZATION = "organization", _("Organization")
        # A central system calling our API with its own identity (the national portal's
        # intake): holds grants like an official, never acts at a workflow step.
        SYSTEM = "system", _("System")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OFFICIAL)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True, validators=[phone_validator])
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
        verbose_name=_("home agency"),
        help_text=_("The agency the official works for (cơ quan công tác)."),
    )
    position = models.CharField(_("position"), max_length=150, blank=True)
    identity_number = models.CharField(
        _("personal identification number"),
        max_length=12,
        blank=True,
        validators=[identity_number_validator],
    )
    tax_code = models.CharField(_("tax or enterprise code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="user_email_unique"
            ),
            models.UniqueConstraint(
                fields=["identity_number"],
                condition=~models.Q(identity_number=""),
                name="user_identity_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username


class Role(models.Model):
    """Vai trò: a named bundle of actions. Built-in roles come from migrations."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    is_builtin = models.BooleanField(_("built-in"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name

    def allows(self, action: str) -> bool:
        return action in self.actions

    def action_labels(self) -> list[str]:
        return [str(Action(a).label) for a in self.actions if a in Action.values]


class Grant(models.Model):
    """Phân quyền: a role held by an official within a scope.

    The scope is an agency (or a unit inside one), optionally its whole sub-tree, optionally
    narrowed to one field and/or one procedure. An official may hold many grants at once
    (kiêm nhiệm). Grants are revoked, never deleted, so the audit trail always resolves.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="grants", verbose_name=_("official")
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="grants", verbose_name=_("role")
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("agency or unit"),
    )
    include_subtree = models.BooleanField(
        _("includes subordinate units"),
        default=False,
        help_text=_("The grant also covers every agency, unit and desk under this one."),
    )
    field = models.ForeignKey(
        "catalog.Field",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("field"),
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("procedure"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["user_id", "pk"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} @ {self.agency}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportBatch(models.Model):
    """An uploaded officials file: previewed first, applied once, kept for the record."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        REJECTED = "rejected", _("Rejected")
        APPLIED = "applied", _("Applied")

    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    summary = models.JSONField(_("summary"), default=dict)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("officials import")
        verbose_name_plural = _("officials imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
