"""The rating scale, its criteria, and when a dossier may be rated.

The national portal's own scale for `DongBoDanhGia` is not public (DOMAIN-integration.md §7:
field lists UNCONFIRMED). We keep three levels — Rất hài lòng / Hài lòng / Không hài lòng —
because Decision 766 group 5 needs only to tell a negative rating from the others (DOMAIN-legal.md
§3.2 indicator 5.4: "dossiers with PAKN or a negative rating" count against the unit) and three
plain words read well on a kiosk. Per-criterion marks are optional and use the same three levels.
If the portal's scale turns out finer, only NATIONAL_LEVEL (the mapping) changes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.constants import Status


class Level(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


# The code each level is sent as (`MucDoHaiLong`). UNCONFIRMED: our choice, 1 the best.
NATIONAL_LEVEL: dict[str, str] = {
    Level.VERY_SATISFIED: "1",
    Level.SATISFIED: "2",
    Level.DISSATISFIED: "3",
}

# What counts as "a negative rating" for Decision 766 indicator 5.4.
NEGATIVE = {Level.DISSATISFIED}


class Criterion(models.TextChoices):
    """Optional marks, one per criterion (the common survey headings of one-stop desks)."""

    TIMELINESS = "timeliness", _("Time taken to settle the dossier")
    GUIDANCE = "guidance", _("Clear guidance and forms")
    CONDUCT = "conduct", _("Conduct of the officials")
    RESULT = "result", _("The result received")


# UNCONFIRMED criterion codes (`MaTieuChi`), ours.
NATIONAL_CRITERION: dict[str, str] = {
    Criterion.TIMELINESS: "TG",
    Criterion.GUIDANCE: "HD",
    Criterion.CONDUCT: "CB",
    Criterion.RESULT: "KQ",
}

# A dossier may be rated once it has ended for the applicant: the result is ready or handed
# over (national codes 9, 10), it was refused at reception (3), or the agency stopped it (8).
# A dossier the applicant withdrew (7) is not rated: no service was delivered.
RATABLE = {Status.DONE, Status.RETURNED, Status.REFUSED, Status.STOPPED}
# The same as national codes, for the tracking page (it knows only the national code).
RATABLE_NATIONAL = {9, 10, 3, 8}

COMMENT_MAX = 2000


class Source(models.TextChoices):
    """How the rater proved they are the applicant."""

    ACCOUNT = "account", _("Logged in with their identity account")
    TRACKING = "tracking", _("Dossier code and identity number (tracking page, kiosk, API)")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
