"""Dossiers (hồ sơ TTHC), their components, history, letters and the code counters.

The internal state is richer than the national portal's ten codes (status, current step,
assignee, clock); `national_status` is kept beside it so every change of the mapped code can be
synced (DOMAIN.md decision 2). Every change goes through `services.py`: one transaction, an
optimistic version check, a history row and an outbox event.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.textnorm import fold

from .constants import (
    CLOCK_RUNNING,
    TERMINAL,
    ApplicantKind,
    Channel,
    EventKind,
    Outcome,
    ReturnMethod,
    Status,
    SupplementPhase,
    Timeliness,
    WarningKind,
)
from .deadlines import near_from

# The rows of the open-dossier indexes: what the lists show by default (`selectors.OPEN`).
OPEN_ROWS = ~models.Q(status__in=sorted(TERMINAL)) & models.Q(is_sandbox=False)
# The rows whose processing clock runs: what the due-warning scan reads (`services.late`). The
# scan filters with this very Q, so PostgreSQL sees the partial index's predicate in the query.
RUNNING_ROWS = models.Q(status__in=sorted(CLOCK_RUNNING)) & models.Q(is_sandbox=False)


class Dossier(models.Model):
    code = models.CharField(_("dossier code"), max_length=40, unique=True)
    # A code issued by a central system (national portal, a ministry gateway), kept beside ours.
    external_code = models.CharField(_("national code"), max_length=60, blank=True)
    # A dossier a ministry's system or the national coordination system handed us (§5 inbound):
    # that system (settings.EXTERNAL_SYSTEMS) and its `AcceptKey`, unique together (two systems
    # may use the same keys). Not the national code: the national portal's §9.3 status-back
    # keys on that, and these dossiers report back to their own system (coordination/progress.py).
    source_system = models.CharField(_("handed over by"), max_length=30, blank=True)
    source_key = models.CharField(_("AcceptKey"), max_length=80, blank=True)
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure")
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+"
    )
    definition = models.ForeignKey(
        "workflows.ProcessDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("process definition"),
    )
    # The one-stop rule set in force on the day it was received (DOMAIN.md decision 1).
    rule_set = models.CharField(_("rule set"), max_length=30)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_sandbox = models.BooleanField(_("test dossier"), default=False)

    applicant_kind = models.CharField(
        _("applicant type"), max_length=15, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(
        _("identity number or tax code"), max_length=20, db_index=True
    )
    applicant_phone = models.CharField(_("phone"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune of the applicant"),
    )
    # Which national register confirmed the applicant's identity (people.models.Register:
    # "population_db", "business_registry"), or "" when nobody did (typed by hand, the register
    # was down, or it arrived online unchecked): the desk sees it on the dossier.
    applicant_verified_by = models.CharField(
        _("applicant verified by"), max_length=20, blank=True, default=""
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    summary = models.CharField(_("summary"), max_length=1000, blank=True)
    form_data = models.JSONField(_("e-form data"), default=dict, blank=True)
    sets = models.PositiveSmallIntegerField(_("number of sets"), default=1)
    fees = models.JSONField(_("fees"), default=list, blank=True)
    fee_total_vnd = models.BigIntegerField(_("fees, total (đồng)"), default=0)

    receiving_agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received at"),
    )
    competent_agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competent agency"),
    )
    # Reception regardless of administrative boundaries: received outside the competent area.
    boundary_free = models.BooleanField(_("received outside the competent area"), default=False)
    return_method = models.CharField(
        _("result returned"), max_length=10, choices=ReturnMethod.choices, default="desk"
    )
    return_agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("result returned at"),
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    national_status = models.PositiveSmallIntegerField(_("national status code"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    supplement_phase = models.CharField(max_length=12, choices=SupplementPhase.choices, blank=True)
    supplements_at_reception = models.PositiveSmallIntegerField(default=0)
    supplements_in_processing = models.PositiveSmallIntegerField(default=0)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    extensions_allowed = models.PositiveSmallIntegerField(_("extensions allowed"), default=1)

    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_paused_at = models.DateTimeField(null=True, blank=True)
    # A supplement requested this early restarts the full time (rule set setting).
    clock_restart_on_resume = models.BooleanField(default=False)
    due_at = models.DateTimeField(_("appointment"), null=True, blank=True, db_index=True)
    # The first appointment: the on-time indicators use it, whatever extension follows.
    # The receipt's appointment: set once, at acceptance, never moved (DOMAIN.md decision 8).
    original_due_at = models.DateTimeField(_("original appointment"), null=True, blank=True)
    # When the appointment becomes near (`process.appointment_near_at`: `deadlines.near_from`
    # with the apology notice), kept with it by `save` and every transition: the leaders'
    # at-risk list reads it through an index.
    due_near_at = models.DateTimeField(_("appointment near from"), null=True, blank=True)
    # The end of the legal processing time, which the on-time indicators judge against: the
    # original appointment moved by pauses and restarts of the clock, never by an apology.
    statutory_due_at = models.DateTimeField(
        _("statutory deadline"), null=True, blank=True, db_index=True
    )
    # Lateness once incurred stays (DOMAIN.md decision 7): set when a pause began after the
    # statutory deadline had passed.
    clock_late = models.BooleanField(default=False)
    # Time the applicant has held the dossier since the clock started (office time for
    # working-day and working-hour limits, calendar time otherwise); None for dossiers stored
    # before it was kept (the clock rebuilds it from their deadlines).
    clock_held = models.DurationField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    closed_reason = models.TextField(_("reason"), blank=True)

    step_key = models.CharField(_("current step"), max_length=40, blank=True)
    step_name = models.CharField(_("current step"), max_length=255, blank=True)
    step_agency = models.ForeignKey(
        "organizations.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(_("step deadline"), null=True, blank=True)
    # When the step deadline becomes near (`deadlines.near_from`), kept with it by `save` and
    # every transition: the desk's "Sắp đến hạn" tab is then an index range, not arithmetic.
    step_near_at = models.DateTimeField(_("step deadline near from"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )

    version = models.PositiveIntegerField(default=1)
    event_seq = models.PositiveIntegerField(default=0)
    # The code and the applicant's name folded (`core.textnorm.fold`) for the partial search: one
    # column, one trigram index on PostgreSQL. Kept by `save`.
    search_folded = models.TextField(editable=False, default="")
    ledger_book = models.CharField(_("ledger book"), max_length=20, blank=True)
    ledger_number = models.PositiveIntegerField(_("ledger number"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        # The lists read open dossiers (a few per cent of the table) soonest step deadline
        # first, through partial indexes that hold only them: one per way an official sees a
        # dossier (held by, settled by, received at, assigned to) and one for "everything".
        # Closed dossiers are read by period of reception, per desk, agency or step's unit.
        indexes = [
            models.Index(
                fields=["step_due_at", "id"], condition=OPEN_ROWS, name="dossier_open_due_idx"
            ),
            models.Index(
                fields=["step_agency", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_step_idx",
            ),
            models.Index(
                fields=["competent_agency", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_competent_idx",
            ),
            models.Index(
                fields=["receiving_agency", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_desk_idx",
            ),
            models.Index(
                fields=["assignee", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_assignee_idx",
            ),
            # The desk's "due soon" tab (`selectors.desk_tabs`): near steps per unit and per
            # assignee; and the worklist's procedure filter.
            models.Index(
                fields=["step_agency", "step_near_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_step_near_idx",
            ),
            models.Index(
                fields=["assignee", "step_near_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_assignee_near_idx",
            ),
            models.Index(
                fields=["procedure", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_procedure_idx",
            ),
            # The worklist's other filters over the open dossiers (issue 14): status and
            # channel in the list's order; appointment and reception by range.
            models.Index(
                fields=["status", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_status_idx",
            ),
            models.Index(
                fields=["channel", "step_due_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_channel_idx",
            ),
            models.Index(
                fields=["due_at", "id"], condition=OPEN_ROWS, name="dossier_open_appt_idx"
            ),
            models.Index(
                fields=["received_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_received_idx",
            ),
            # The leaders' report: open dossiers per unit, past and near their step deadline
            # (`selectors.open_by_unit`), counted from the index alone (an index-only scan;
            # through the heap 0.44–0.78 s at a million dossiers, 80,000 open).
            models.Index(
                fields=["step_agency", "step_due_at", "step_near_at", "id"],
                condition=OPEN_ROWS,
                name="dossier_open_unit_idx",
            ),
            # The desk's "awaiting reception" tab: submitted dossiers per desk (without it, a
            # commune's desk was the intersection with its every dossier ever received).
            models.Index(
                fields=["receiving_agency", "step_due_at", "id"],
                condition=models.Q(status=Status.SUBMITTED, is_sandbox=False),
                name="dossier_to_receive_idx",
            ),
            # The due-warning scan: running dossiers by appointment (a fraction of the open
            # ones; the plain `due_at` index holds every closed dossier too).
            models.Index(
                fields=["due_at", "id"], condition=RUNNING_ROWS, name="dossier_running_due_idx"
            ),
            models.Index(
                fields=["step_due_at"], condition=RUNNING_ROWS, name="dossier_running_step_idx"
            ),
            models.Index(
                fields=["due_near_at"], condition=RUNNING_ROWS, name="dossier_running_near_idx"
            ),
            models.Index(fields=["receiving_agency", "submitted_at"], name="dossier_desk_idx"),
            models.Index(
                fields=["competent_agency", "submitted_at"], name="dossier_competent_time_idx"
            ),
            models.Index(fields=["step_agency", "submitted_at"], name="dossier_step_time_idx"),
            # Closed dossiers of a period for whoever sees every agency, latest first.
            models.Index(fields=["submitted_at", "id"], name="dossier_submitted_idx"),
            # ... narrowed by the worklist's procedure, status or channel filter (issue 14).
            models.Index(
                fields=["procedure", "submitted_at", "id"], name="dossier_procedure_time_idx"
            ),
            models.Index(fields=["status", "submitted_at", "id"], name="dossier_status_time_idx"),
            models.Index(fields=["channel", "submitted_at", "id"], name="dossier_channel_time_idx"),
        ]
        constraints = [
            # The national code is the idempotency key of delivery (DOMAIN.md decision 13).
            models.UniqueConstraint(
                fields=["external_code"],
                condition=~models.Q(external_code=""),
                name="dossier_external_code_unique",
            ),
            # The AcceptKey of the system that handed the dossier over is its idempotency key.
            models.UniqueConstraint(
                fields=["source_system", "source_key"],
                condition=~models.Q(source_key=""),
                name="dossier_source_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.search_folded = fold(f"{self.code} {self.applicant_name}")
        self.step_near_at = near_from(self.step_started_at, self.step_due_at)
        fields = kwargs.get("update_fields")
        if fields is not None and {"code", "applicant_name"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_folded"}
        if fields is not None and {"step_started_at", "step_due_at"} & set(fields):
            kwargs["update_fields"] = {*kwargs["update_fields"], "step_near_at"}
        if fields is None or {"received_at", "due_at", "rule_set"} & set(fields):
            from .process import appointment_near_at

            self.due_near_at = appointment_near_at(self)
            if fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "due_near_at"}
        super().save(*args, **kwargs)


class DossierComponent(models.Model):
    """Thành phần hồ sơ as submitted (files come with the documents issue)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=60, blank=True)
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    # What was checked of a file received with the dossier (the national portal's intake);
    # the file itself is kept by the documents issue.
    file_size = models.PositiveBigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    digitized = models.BooleanField(default=False)
    supplement_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dossier_id", "order", "pk"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierEvent(models.Model):
    """One line of history: who did what, when, from which state and step to which.

    Hand-overs between units carry the giver and receiver, the step's limit and the office time
    it used, and whether it was early, on time or late: the control sheet is printed from these.
    """

    # The history is append-only: never deleted with its dossier (the database refuses too).
    # Its index is the unique (dossier, seq): a dossier's history in order, nothing else.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    action = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    national_status = models.PositiveSmallIntegerField()
    from_step = models.CharField(max_length=40, blank=True)
    to_step = models.CharField(max_length=40, blank=True)
    from_agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_agency = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    step_limit_minutes = models.PositiveIntegerField(null=True)
    minutes_used = models.PositiveIntegerField(null=True)
    step_due_at = models.DateTimeField(null=True)
    timeliness = models.CharField(max_length=10, choices=Timeliness.choices, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}.{self.seq} {self.kind}"


class Consultation(models.Model):
    """An opinion asked of another unit at a consult step; all must answer before moving on."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    step_key = models.CharField(max_length=40)
    unit = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opinion = models.TextField(blank=True)
    agrees = models.BooleanField(null=True)
    # Called off when the dossier closed before this unit answered (kept, never deleted).
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.unit_id}"


class ExtensionLetter(models.Model):
    """Văn bản xin lỗi và đề nghị gia hạn (late dossiers, R15)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="letters")
    sequence = models.PositiveSmallIntegerField()
    reason = models.TextField(_("reason"))
    original_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    agency_at_fault = models.ForeignKey(
        "organizations.Agency", on_delete=models.PROTECT, related_name="+"
    )
    step_key = models.CharField(max_length=40, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    sent_via = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["dossier_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="letter_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.sequence}"


class CodeCounter(models.Model):
    """The per-agency, per-day sequence of dossier codes: one row each, never reused."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


class DueWarning(models.Model):
    """A warning sent once per dossier, step and threshold (before the appointment passes)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="warnings")
    kind = models.CharField(max_length=20, choices=WarningKind.choices)
    target_at = models.DateTimeField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The recipient has read it (in the workspace or through the API).
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Once only, also when two scans overlap: the scan inserts with ON CONFLICT DO NOTHING
        # (INSERT OR IGNORE on SQLite) and counts the rows that went in. NULLs are distinct in
        # a unique index, so the warning nobody could receive has a partial index of its own.
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "target_at", "recipient"], name="due_warning_unique"
            ),
            models.UniqueConstraint(
                fields=["dossier", "kind", "target_at"],
                condition=models.Q(recipient__isnull=True),
                name="due_warning_unique_nobody",
            ),
        ]
        # An official's inbox, most urgent first: the unseen ones (what every page shows),
        # and all of them. A busy official holds tens of thousands of warnings over the years.
        indexes = [
            models.Index(
                fields=["recipient", "target_at", "id"],
                condition=models.Q(seen_at__isnull=True),
                name="due_warning_unseen_idx",
            ),
            models.Index(fields=["recipient", "target_at", "id"], name="due_warning_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"
