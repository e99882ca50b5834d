"""Process definitions (quy trình giải quyết) per procedure and competent agency, versioned.

A definition is a draft until a test-run of that exact content passes; then it may be
activated. One version is active per procedure and agency (or per procedure and province for
the province-wide default). Dossiers in flight keep the version they started with.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import DefinitionStatus


class ProcessDefinition(models.Model):
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.PROTECT,
        related_name="process_definitions",
        verbose_name=_("procedure"),
    )
    province = models.ForeignKey(
        "territory.Province",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("province"),
    )
    # Empty: the province-wide definition, used by every competent agency without its own.
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="process_definitions",
        verbose_name=_("competent agency"),
    )
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DefinitionStatus.choices,
        default=DefinitionStatus.DRAFT,
    )
    # The steps (workflows.spec.WorkflowSpec), and its hash for test-run matching.
    document = models.JSONField(_("steps"))
    content_hash = models.CharField(max_length=64, editable=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["procedure_id", "province_id", "agency_id", "-number"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "province", "agency", "number"],
                name="definition_number_unique",
            ),
            models.UniqueConstraint(
                fields=["procedure", "agency"],
                condition=models.Q(status="active", agency__isnull=False),
                name="one_active_definition_per_agency",
            ),
            models.UniqueConstraint(
                fields=["procedure", "province"],
                condition=models.Q(status="active", agency__isnull=True),
                name="one_active_definition_per_province",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def spec(self):
        """The parsed steps, shared by every copy of the same content in this process."""
        from .spec import spec_parse

        cached = _SPECS.get(self.content_hash)
        if cached is None or not self.content_hash:
            cached = spec_parse(self.document)
            if self.content_hash:
                if len(_SPECS) > 1000:
                    _SPECS.clear()
                _SPECS[self.content_hash] = cached
        return cached


# content_hash → WorkflowSpec: definitions never change their content under the same hash.
_SPECS: dict = {}


class TestRun(models.Model):
    """Kiểm thử (R3): one sandbox run of a definition's exact content, with its findings."""

    __test__ = False  # not a pytest class

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="test_runs"
    )
    content_hash = models.CharField(max_length=64)
    passed = models.BooleanField(_("passed"))
    # {"steps": [{"key", "name", "unit", "role", "officials": [...], "deadline", "problems"}],
    #  "problems": [...], "start": ISO, "end": ISO, "commune_id": …}
    report = models.JSONField(_("report"), default=dict)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("test-run")
        verbose_name_plural = _("test-runs")

    def __str__(self) -> str:
        return f"{self.definition} @ {self.ran_at:%Y-%m-%d %H:%M}"
