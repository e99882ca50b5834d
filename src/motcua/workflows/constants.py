"""Vocabulary of processing workflows (quy trình nội bộ, quy trình điện tử)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.accounts.constants import Action


class DefinitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TESTED = "tested", _("Test-run passed")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class StepKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    ASSIGN = "assign", _("Assign")
    PROCESS = "process", _("Process")
    CONSULT = "consult", _("Consult other units")
    APPROVE = "approve", _("Approve")
    SIGN = "sign", _("Sign")
    HANDOFF = "handoff", _("Hand off to another agency")
    # Settled (partly) on a ministry's centralized system or by the national coordination
    # system (DOMAIN-integration.md §5): the step names the configured system (`Step.system`);
    # entering it hands the dossier over, the system's result completes it.
    EXTERNAL = "external", _("Hand over to a ministry's system / the coordination system")
    RETURN = "return", _("Return the result")


class StepAction(models.TextChoices):
    """What an official does at a step; each step maps the actions it allows to a next step."""

    FORWARD = "forward", _("Complete and forward")
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Send back")
    REFUSE = "refuse", _("Propose refusal")
    CONSULT = "consult", _("Ask for opinions")


class UnitRefKind(models.TextChoices):
    RECEIVING_DESK = "receiving_desk", _("The desk that received the dossier")
    COMPETENT_AGENCY = "competent_agency", _("The competent agency")
    AGENCY = "agency", _("A named agency or unit")


class LimitUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


# The permission an official needs to act at a step of each kind (with the step's role).
STEP_PERMISSION: dict[str, str] = {
    StepKind.RECEIVE: Action.DOSSIER_RECEIVE,
    StepKind.ASSIGN: Action.DOSSIER_ASSIGN,
    StepKind.PROCESS: Action.DOSSIER_PROCESS,
    StepKind.CONSULT: Action.DOSSIER_PROCESS,
    StepKind.APPROVE: Action.DOSSIER_APPROVE,
    StepKind.SIGN: Action.DOSSIER_SIGN,
    StepKind.HANDOFF: Action.DOSSIER_PROCESS,
    # The officials who follow a hand-over (and record a result that comes back on paper).
    StepKind.EXTERNAL: Action.DOSSIER_PROCESS,
    StepKind.RETURN: Action.DOSSIER_RECEIVE,
}
