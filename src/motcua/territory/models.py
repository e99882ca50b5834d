"""Administrative units (đơn vị hành chính) of the two-level local government since 1/7/2025.

Loaded from the `vietnam-provinces` package (34 provinces, 3,321 communes, wards and special
zones) by `manage.py load_territory`; never edited by hand, so codes stay the national ones
(Decision 19/2025/QĐ-TTg list of administrative unit codes).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """Tỉnh / thành phố trực thuộc trung ương."""

    class Kind(models.TextChoices):
        PROVINCE = "tinh", _("Province")
        CITY = "thanh_pho", _("Centrally-run city")

    code = models.PositiveSmallIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    codename = models.CharField(_("code name"), max_length=100, unique=True)
    phone_code = models.PositiveSmallIntegerField(_("phone area code"), null=True, blank=True)
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        # The package stores "Thành phố Hà Nội" but plain "Đồng Tháp" for provinces.
        return self.name if self.kind == self.Kind.CITY else f"Tỉnh {self.name}"


class Commune(models.Model):
    """Xã / phường / đặc khu: the lower level of local government since 1/7/2025."""

    class Kind(models.TextChoices):
        COMMUNE = "xa", _("Commune")
        WARD = "phuong", _("Ward")
        SPECIAL_ZONE = "dac_khu", _("Special zone")

    code = models.PositiveIntegerField(_("code"), primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    codename = models.CharField(_("code name"), max_length=100)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("province")
    )
    name_folded = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["province_id", "name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self) -> str:
        return self.name


class DataLoad(models.Model):
    """One run of the territory loader: which package and data version it applied."""

    source = models.CharField(max_length=100)
    package_version = models.CharField(max_length=40)
    data_version = models.CharField(max_length=40)
    loaded_at = models.DateTimeField(auto_now_add=True)
    provinces = models.PositiveIntegerField()
    communes = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()

    class Meta:
        ordering = ["-loaded_at"]
        verbose_name = _("territory data load")
        verbose_name_plural = _("territory data loads")

    def __str__(self) -> str:
        return f"{self.source} {self.package_version} ({self.data_version})"
