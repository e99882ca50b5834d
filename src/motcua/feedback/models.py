"""Ratings of dossiers and the national portal's questions.

`Rating` (đánh giá mức độ hài lòng): one per dossier, by its applicant, kept with the dossier's
competent and receiving agencies and the moment it was given, so Decision 766 indicator 5.4
("dossiers with PAKN or a negative rating", DOMAIN-legal.md §3.2) can count them by period and
unit from an index. `Question` (hỏi đáp gửi từ Cổng DVC quốc gia): a question a citizen sent on
the national portal, stored once per portal id, routed to the agency it names.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Level, QuestionStatus, Source


class Rating(models.Model):
    """Đánh giá mức độ hài lòng của người nộp hồ sơ."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="rating",
        verbose_name=_("dossier"),
    )
    # Copied from the dossier when rated: the unit the rating counts for, and its desk.
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competent agency"),
    )
    receiving_agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("receiving desk"),
    )
    level = models.CharField(_("satisfaction"), max_length=20, choices=Level.choices)
    negative = models.BooleanField(_("negative rating"), default=False)
    # {criterion: level}, each optional (constants.Criterion).
    marks = models.JSONField(_("marks per criterion"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("given through"), max_length=10, choices=Source.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    rated_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [
            # Counts per unit and period (Decision 766 group 5) and the leaders' lists.
            models.Index(fields=["agency", "rated_at"], name="rating_agency_time_idx"),
            models.Index(fields=["receiving_agency", "rated_at"], name="rating_desk_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"


class Question(models.Model):
    """Câu hỏi công dân gửi trên Cổng DVC quốc gia (LayDanhSachHoiDapGuiTuDVCQG)."""

    national_id = models.CharField(
        _("question id on the national portal"), max_length=60, unique=True
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency answering"),
    )
    # The agency code the question named (MaCoQuan), and whether it was routed to the default
    # because no active agency has that code.
    agency_code_given = models.CharField(_("agency code given"), max_length=40, blank=True)
    routed_to_default = models.BooleanField(_("routed to the default agency"), default=False)
    title = models.CharField(_("title"), max_length=500)
    content = models.TextField(_("question"))
    asker_name = models.CharField(_("asked by"), max_length=255, blank=True)
    asker_email = models.CharField(_("e-mail"), max_length=255, blank=True)
    asker_phone = models.CharField(_("phone"), max_length=20, blank=True)
    procedure_code = models.CharField(_("procedure code"), max_length=40, blank=True)
    asked_at = models.DateTimeField(_("asked"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # The portal's record as received, for whoever must check what it said.
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("citizen's question")
        verbose_name_plural = _("citizens' questions")
        indexes = [
            models.Index(fields=["agency", "status", "received_at"], name="question_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.national_id}: {self.title[:60]}"
