"""One-stop rule sets, versioned by legal basis (DOMAIN.md decisions 1, 7 and 8).

A dossier is governed by the rule set in force on the day it was received and keeps its code.
Where Decree 118/2025/NĐ-CP's article-level rules are not confirmed (DOMAIN-legal-2025.md §2–5),
the 2018 rules are the provisional defaults, as DOMAIN.md says; they are settings here, not code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSet:
    code: str
    basis: str
    forms_basis: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    # A supplement requested at reception or within this many working days of the clock start
    # restarts the full processing time when the complete dossier arrives (Decree 61/2018
    # art. 21 cl. 3, kept as the default by DOMAIN.md decision 7); later ones resume.
    supplement_restart_within_working_days: int = 3
    # Supplement requests allowed during processing (DOMAIN-legal-2025.md §3: default 1).
    max_supplements_in_processing: int = 1
    # The apology/extension letter: at least this many working days before the deadline
    # (DOMAIN.md decision 8), and how many per dossier unless an administrator allows more.
    apology_working_days_before: int = 1
    max_extensions: int = 1


RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        code="nd118-2025",
        basis="Nghị định 118/2025/NĐ-CP; Thông tư 03/2025/TT-VPCP",
        forms_basis="Thông tư 03/2025/TT-VPCP",
        valid_from=dt.date(2025, 7, 1),
        valid_to=None,
    ),
    RuleSet(
        code="nd61-2018",
        basis="Nghị định 61/2018/NĐ-CP, sửa đổi bởi Nghị định 107/2021/NĐ-CP",
        forms_basis="Thông tư 01/2018/TT-VPCP",
        valid_from=None,
        valid_to=dt.date(2025, 6, 30),
    ),
)


def rule_set_on(day: dt.date) -> RuleSet:
    for rules in RULE_SETS:
        if (rules.valid_from is None or rules.valid_from <= day) and (
            rules.valid_to is None or day <= rules.valid_to
        ):
            return rules
    raise LookupError(day)


def rule_set_get(code: str) -> RuleSet:
    for rules in RULE_SETS:
        if rules.code == code:
            return rules
    raise LookupError(code)
