"""Every change to a dossier: one function each, one transaction each.

Each operation asks the lifecycle table (`dossiers/lifecycle.py`) whether the actor may do it
in the dossier's current state, checks the version the caller last saw (optimistic locking:
the first writer wins, the second gets a clear conflict and nothing of theirs is applied), then
writes the dossier with a conditional UPDATE, a history row per event, an audit entry and, for
real dossiers, an outbox event per history row for the national portal, all in one transaction.

By concern: `reception` (delivery, registration, acceptance, refusal, supplements),
`processing` (steps, assignment, consultations, financial obligations), `closing` (return,
withdrawal, stop), `late` (apology letters, due warnings), `clocking` (the clock's fields),
`steps` and `events` (the shared write machinery). The read side imports none of them.
"""

from .closing import dossier_return, dossier_stop, dossier_withdraw
from .late import dossier_apology_issue, due_warning_seen, due_warnings_scan
from .processing import (
    dossier_act,
    dossier_assign,
    dossier_consult_answer,
    dossier_payment_received,
    dossier_request_fees,
    dossier_request_payment,
    dossiers_assign_many,
)
from .reception import (
    Applicant,
    ComponentIn,
    dossier_accept,
    dossier_refuse,
    dossier_request_supplement,
    dossier_submit,
    dossier_supplement_received,
)

__all__ = [
    "Applicant",
    "ComponentIn",
    "dossier_accept",
    "dossier_act",
    "dossier_apology_issue",
    "dossier_assign",
    "dossier_consult_answer",
    "dossier_payment_received",
    "dossier_refuse",
    "dossier_request_fees",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_return",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement_received",
    "dossier_withdraw",
    "dossiers_assign_many",
    "due_warning_seen",
    "due_warnings_scan",
]
