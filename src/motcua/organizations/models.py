"""The province's agencies as a tree: People's Committees, departments, service centres, desks.

Nothing here fixes a province's layout: each province builds its own tree (telegram 33/CĐ-TTg
problem 4). Which agency is competent for which procedure is configured later, per procedure and
per locality, in the catalog.
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Decision 20/2020/QĐ-TTg electronic identifier: DDD.CC.BB.A## (DOMAIN.md decision 4).
AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
agency_code_validator = RegexValidator(
    AGENCY_CODE_RE,
    _("The electronic identifier must look like 000.00.00.H20 (DDD.CC.BB.A##)."),
    code="agency_code",
)


class AgencyKind(models.TextChoices):
    PROVINCE_PC = "province_pc", _("Provincial People's Committee")
    DEPARTMENT = "department", _("Department, board or sector")
    SERVICE_CENTER = "service_center", _("Public Administration Service Center")
    COMMUNE_PC = "commune_pc", _("Commune People's Committee")
    ONE_STOP_UNIT = "one_stop_unit", _("One-stop unit")
    DESK = "desk", _("One-stop desk")
    UNIT = "unit", _("Internal unit (division, office)")
    OTHER = "other", _("Other agency or branch")


# Kinds that receive dossiers from the public.
RECEIVING_KINDS = {AgencyKind.SERVICE_CENTER, AgencyKind.ONE_STOP_UNIT, AgencyKind.DESK}


class Agency(models.Model):
    """Cơ quan, đơn vị: any node of the province's organization tree.

    `path` is a materialized path of primary keys ("/1/5/12/"), so "this agency and everything
    under it" is one indexed prefix query and one string test.
    """

    code = models.CharField(
        _("electronic identifier"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[agency_code_validator],
        help_text=_("Mã định danh điện tử (Decision 20/2020/QĐ-TTg), e.g. 000.00.00.H20."),
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    province = models.ForeignKey(
        "territory.Province",
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("province"),
    )
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("commune or ward"),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A desk of the Public Administration Service Center serves one department or one field:
    # the national portal's online dossiers of that department or field are received there
    # (catalog.competence, the electronic reception unit).
    serves_agency = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="serving_desks",
        verbose_name=_("receives for the agency"),
        help_text=_("For a desk of the service center: the department whose dossiers it takes."),
    )
    serves_field = models.ForeignKey(
        "catalog.Field",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="serving_desks",
        verbose_name=_("receives for the field"),
        help_text=_("For a desk of the service center: the field whose dossiers it takes."),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="province_pc") | models.Q(parent__isnull=True),
                name="agency_province_pc_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def path_ids(self) -> list[int]:
        """The ids on the path from the root of the tree down to this agency, itself last."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: "Agency") -> bool:
        """True when self is `other` or lies in its sub-tree."""
        return self.path.startswith(other.path)
