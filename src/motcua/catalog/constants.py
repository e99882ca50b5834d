"""Choices of the procedure catalog, with the Vietnamese terms of the national database."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Cấp thực hiện (the national record's isWard / isProvince flags)."""

    COMMUNE = "commune", _("Commune level")
    PROVINCE = "province", _("Province level")
    COMMUNE_PROVINCE = "commune_province", _("Commune and province level")
    CENTRAL = "central", _("Central level")


class Channel(models.TextChoices):
    """Cách thức thực hiện (executionMethods[].submissionMethod)."""

    DIRECT = "direct", _("In person")
    ONLINE = "online", _("Online")
    POST = "post", _("By post")


class OnlineLevel(models.TextChoices):
    """Online public service kind, Decree 42/2022/NĐ-CP art. 11 (toàn trình / một phần)."""

    NONE = "none", _("Not offered online")
    PARTIAL = "partial", _("Partly online")
    FULL = "full", _("Fully online")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


class FeeKind(models.TextChoices):
    """Phí (a fee for a service) or lệ phí (a charge for a State act), Law on Fees 2015."""

    FEE = "fee", _("Fee")
    CHARGE = "charge", _("Charge")
    OTHER = "other", _("Other payment")


class Requirement(models.TextChoices):
    REQUIRED = "required", _("Required")
    CONDITIONAL = "conditional", _("Required in a given case")
    OPTIONAL = "optional", _("Optional")


class ReuseSource(models.TextChoices):
    """Where a component can come from instead of an upload (Decree 45/2020/NĐ-CP)."""

    NONE = "none", _("Must be submitted")
    DATA_WAREHOUSE = "data_warehouse", _("Applicant's electronic data warehouse")
    NATIONAL_DATABASE = "national_database", _("A national or specialised database")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUSPENDED = "suspended", _("Suspended")
    ABOLISHED = "abolished", _("Abolished")


# Versions whose content is fixed: a dossier may point at them, so nothing in them changes.
FROZEN_STATUSES = {VersionStatus.PUBLISHED, VersionStatus.SUSPENDED, VersionStatus.ABOLISHED}
OPEN_STATUSES = {VersionStatus.DRAFT, VersionStatus.APPROVED}


class VersionSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    NATIONAL = "national", _("National procedure database")
    XLSX = "xlsx", _("Excel import")
    JSON = "json", _("JSON import")
    DEMO = "demo", _("Demo data")


class CompetentMode(models.TextChoices):
    """Who settles a procedure for a locality."""

    LOCAL_COMMUNE = "local_commune", _("The People's Committee of the applicant's commune")
    AGENCY = "agency", _("A named agency")


class AuthorityKind(models.TextChoices):
    """Thẩm quyền, phân cấp, ủy quyền (Law on Local Government Organisation 2025, art. 13–14)."""

    COMPETENT = "competent", _("Own competence")
    DELEGATED = "delegated", _("Decentralised (phân cấp)")
    AUTHORIZED = "authorized", _("Authorised (ủy quyền)")


class ReceivingMode(models.TextChoices):
    """Which one-stop desks may receive the procedure's dossiers for a locality."""

    COMPETENT_AGENCY = "competent_agency", _("The competent agency's own one-stop desks")
    ALL_DESKS = "all_desks", _("Every one-stop desk in the province")
    LISTED = "listed", _("The desks listed")
