"""The procedure catalog: fields, procedures and their versions, per-locality competence.

`Procedure` is the stable identity a grant or a dossier points at; `ProcedureVersion` holds
what a publication decision says (fees, times, components, legal basis, e-form, …). Published
versions never change: a dossier keeps the version it was submitted under. Which agency settles
a procedure, and where it may be received, is configured per locality (`CompetenceRule`).
"""

import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import (
    AuthorityKind,
    Channel,
    CompetentMode,
    FeeKind,
    Level,
    OnlineLevel,
    ReceivingMode,
    Requirement,
    ReuseSource,
    TimeUnit,
    VersionSource,
    VersionStatus,
)

# National procedure code N.NNNNNN (DOMAIN.md decision 5); province-specific procedures may get
# their own codes from the catalog administrator, so the pattern also admits a localized suffix.
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}(\.[0-9A-Z.]+)?$")
procedure_code_validator = RegexValidator(
    PROCEDURE_CODE_RE,
    _("A procedure code looks like 1.001193 (N.NNNNNN)."),
    code="procedure_code",
)


class Field(models.Model):
    """Lĩnh vực: a sector of procedures, coded as the national database codes it (G15-TP07)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """Thủ tục hành chính: the stable identity of a procedure across its published versions."""

    code = models.CharField(
        _("procedure code"), max_length=60, unique=True, validators=[procedure_code_validator]
    )
    name = models.TextField(_("name"))
    field = models.ForeignKey(
        Field,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("field"),
    )
    name_folded = models.TextField(editable=False)
    # Copied from the latest published version, for listing and search without a join.
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)
    online_level = models.CharField(
        _("online service"), max_length=10, choices=OnlineLevel.choices, blank=True
    )
    is_province_specific = models.BooleanField(_("province-specific"), default=False)
    is_published = models.BooleanField(_("published"), default=False, db_index=True)
    life_events = models.ManyToManyField(
        "LifeEvent", blank=True, related_name="procedures", verbose_name=_("life events")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LifeEvent(models.Model):
    """Sự kiện: a moment in life (a birth, building a house) that groups procedures for citizens."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.name


class FormTemplate(models.Model):
    """Mẫu đơn, tờ khai: a template file citizens download, kept in the database.

    Kept in the database rather than on a local disk so any app server can serve it.
    """

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=500)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """One version of a procedure as a publication decision (quyết định công bố) states it."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    source = models.CharField(
        _("source"), max_length=10, choices=VersionSource.choices, default=VersionSource.MANUAL
    )
    # The whole content as one validated document (catalog.content.ProcedureContent); the
    # columns below are copies for querying and display.
    document = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64, editable=False)
    name = models.TextField(_("name"))
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="versions", verbose_name=_("field")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    online_level = models.CharField(_("online service"), max_length=10, choices=OnlineLevel.choices)
    is_province_specific = models.BooleanField(_("province-specific"), default=False)
    is_lien_thong = models.BooleanField(_("inter-agency"), default=False)
    decision_number = models.CharField(_("publication decision"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            # At most one version open for editing per procedure.
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(status__in=["draft", "approved"]),
                name="one_open_version",
            ),
            # Two published versions of a procedure never take effect on the same day.
            models.UniqueConstraint(
                fields=["procedure", "effective_from"],
                condition=models.Q(status__in=["published", "suspended", "abolished"]),
                name="one_version_per_effective_date",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"


class ProcessingTime(models.Model):
    """Thời hạn giải quyết, per channel and case (a copy of the document, for queries)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="times")
    order = models.PositiveSmallIntegerField(default=0)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    case = models.CharField(max_length=500, blank=True)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=TimeUnit.choices)
    cutoff = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)  # public
    note = models.TextField(blank=True)  # for administrators only

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return f"{self.amount} {self.get_unit_display()}"


class Fee(models.Model):
    """Phí, lệ phí: whole đồng (DOMAIN.md decision 12)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=FeeKind.choices)
    name = models.CharField(max_length=500)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    amount_vnd = models.BigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=200, blank=True)
    basis = models.CharField(max_length=500, blank=True)
    online_amount_vnd = models.BigIntegerField(null=True, blank=True)
    online_reduction_basis = models.CharField(max_length=500, blank=True)
    exemptions = models.TextField(blank=True)
    description = models.TextField(blank=True)  # public
    note = models.TextField(blank=True)  # for administrators only

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_vnd__isnull=True) | models.Q(amount_vnd__gte=0),
                name="fee_amount_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """Thành phần hồ sơ."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=60, blank=True)
    name = models.TextField()
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    requirement = models.CharField(max_length=12, choices=Requirement.choices)
    condition = models.CharField(max_length=1000, blank=True)
    form_required = models.BooleanField(default=False)
    form_template = models.ForeignKey(
        FormTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reuse = models.CharField(max_length=20, choices=ReuseSource.choices)
    reuse_source_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class LegalBasis(models.Model):
    """Căn cứ pháp lý."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases"
    )
    order = models.PositiveSmallIntegerField(default=0)
    number = models.CharField(max_length=100)
    title = models.TextField(blank=True)
    issued_on = models.DateField(null=True, blank=True)
    issuer = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.number


class CompetenceRule(models.Model):
    """Who settles a procedure, and where it is received, for a locality.

    A rule without a commune is the province-wide default; a commune's own rule overrides it.
    E.g. birth registration: default rule "the applicant's commune", received at its own desks;
    a construction permit: default rule "Sở Xây dựng", received at every desk in the province.
    """

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="competence_rules"
    )
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("Empty: every locality of the province."),
    )
    mode = models.CharField(_("competent agency"), max_length=20, choices=CompetentMode.choices)
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competence_rules",
        verbose_name=_("agency"),
    )
    authority = models.CharField(
        _("authority"),
        max_length=12,
        choices=AuthorityKind.choices,
        default=AuthorityKind.COMPETENT,
    )
    delegated_by = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decentralised or authorised by"),
    )
    delegation_basis = models.CharField(_("delegation decision"), max_length=255, blank=True)
    receiving = models.CharField(
        _("received at"),
        max_length=20,
        choices=ReceivingMode.choices,
        default=ReceivingMode.COMPETENT_AGENCY,
    )
    desks = models.ManyToManyField(
        "organizations.Agency", blank=True, related_name="+", verbose_name=_("desks")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("competence rule")
        verbose_name_plural = _("competence rules")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "commune"], name="one_rule_per_locality"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=models.Q(commune__isnull=True),
                name="one_default_rule",
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="agency") | models.Q(agency__isnull=False),
                name="agency_rule_names_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} @ {self.commune or '*'}"


class PublicService(models.Model):
    """Dịch vụ công: a procedure offered by an agency on a channel (R26).

    Declaring it grants the receiving officers named with it the right to receive it.
    """

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="services", verbose_name=_("procedure")
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="public_services",
        verbose_name=_("agency"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_active = models.BooleanField(_("active"), default=True)
    grants = models.ManyToManyField("accounts.Grant", blank=True, related_name="+")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        ordering = ["procedure", "agency", "channel"]
        verbose_name = _("public service")
        verbose_name_plural = _("public services")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "agency", "channel"], name="one_service_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} · {self.agency} · {self.get_channel_display()}"


class FullOnlineList(models.Model):
    """The province-approved list of full-online procedures (R25), as one decision states it."""

    decision_number = models.CharField(_("decision number"), max_length=100, unique=True)
    decision_date = models.DateField(_("decision date"))
    issuer = models.CharField(_("issuer"), max_length=255)
    note = models.TextField(_("note"), blank=True)
    procedures = models.ManyToManyField(
        Procedure, related_name="full_online_lists", verbose_name=_("procedures")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decision_date", "-pk"]
        verbose_name = _("full-online list")
        verbose_name_plural = _("full-online lists")

    def __str__(self) -> str:
        return self.decision_number


class CatalogImport(models.Model):
    """An import file checked and waiting to be applied (preview → apply)."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, waiting to be applied")
        APPLIED = "applied", _("Applied")

    source = models.CharField(_("source"), max_length=10, choices=VersionSource.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED
    )
    documents = models.JSONField(default=list)
    diff = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("catalog import")
        verbose_name_plural = _("catalog imports")

    def __str__(self) -> str:
        return self.file_name
