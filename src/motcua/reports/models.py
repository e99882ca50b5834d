"""Counts for reports (số liệu tổng hợp): per competent agency, procedure and local day.

`DailyCount` holds what happened on a day (Asia/Ho_Chi_Minh) to the dossiers an agency is
competent for, for one procedure: received, accepted, settled (early / on time / late),
online… Each dossier transition adds to its row in the same transaction as its history rows
(`services.counts_record`, called by `dossiers.services.events.write_events`), one upsert per
transition; `services.counts_rebuild` recomputes days from the history, `counts_check` compares.
Test dossiers (sandbox) are never counted.

"In progress" (đang giải quyết) is a stock, not a flow: an accepted dossier not yet settled,
withdrawn or stopped. Kept as its daily change (`in_progress_change`: +1 accepted, -1 closed),
because a change adds like every other counter, so the hot path stays one upsert, a rebuild of
some days touches only those days, and two transactions never fight over a running total. The
stock at the end of a day is the sum of the changes up to it; summing years of rows for a report
would be slow, so `MonthlyCount` keeps each closed month rolled up (`services.counts_rollup`:
the month's flows and the stock at its end, from the previous month's stock plus the month's
changes), and the Decision 766 month reads at most one month of rows.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _counter(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class CountsBase(models.Model):
    agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competent agency"),
        db_index=False,  # the unique key begins with it
    )
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("procedure"),
        db_index=False,  # nobody reads counts by procedure alone
    )
    received = _counter(_("dossiers received"))
    online = _counter(_("received online"))
    accepted = _counter(_("accepted"))
    refused = _counter(_("refused at reception"))
    settled = _counter(_("settled"))
    # Decision 766's "đúng hạn hoặc trước hạn": early and on time together, as it always was.
    # `settled_early` is the early part of it (trước hạn: settled before the deadline's day), so
    # on time only (đúng hạn: on the deadline's day) is settled_on_time - settled_early, and
    # settled = settled_on_time + settled_late (+ the few without a deadline).
    settled_on_time = _counter(_("settled early or on time"))
    settled_early = _counter(_("settled early"))
    settled_late = _counter(_("settled late"))
    returned = _counter(_("results returned"))
    withdrawn = _counter(_("withdrawn"))
    stopped = _counter(_("stopped"))
    # 0 until online payments are recorded (payment platform) — see rules.FLOWS.
    paid_online = _counter(_("paid online"))
    # 0 until digitised components are recorded (R9) — see rules.FLOWS.
    digitized = _counter(_("digitised"))

    class Meta:
        abstract = True


class DailyCount(CountsBase):
    """Số liệu hồ sơ theo ngày: one agency, one procedure, one local day."""

    day = models.DateField(_("day"))
    in_progress_change = models.IntegerField(_("change of dossiers in progress"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            # The upsert's conflict target; (agency, day…) also serves one agency's month.
            models.UniqueConstraint(
                fields=["agency", "day", "procedure"], name="daily_count_unique"
            )
        ]
        # The province's month: a range of days over every agency.
        indexes = [models.Index(fields=["day"], name="daily_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.procedure_id} {self.day}"


class MonthlyCount(CountsBase):
    """Số liệu hồ sơ theo tháng: a closed month rolled up, with the stock at its end."""

    month = models.DateField(_("month"))  # its first day
    in_progress = models.IntegerField(_("in progress at the end of the month"), default=0)

    class Meta:
        verbose_name = _("monthly count")
        verbose_name_plural = _("monthly counts")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "procedure"], name="monthly_count_unique"
            )
        ]
        indexes = [models.Index(fields=["month"], name="monthly_count_month_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.procedure_id} {self.month:%Y-%m}"


class CountedMonth(models.Model):
    """A month whose `MonthlyCount` rows are complete (rolled up after it ended)."""

    month = models.DateField(_("month"), unique=True)
    rolled_up_at = models.DateTimeField(_("rolled up"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("rolled-up month")
        verbose_name_plural = _("rolled-up months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
