"""A process definition's content: its steps, as one validated document.

Like the catalog's procedure content, every way in (the configuration pages, the API, JSON
import from another province) produces this document, and the engine reads only this. The
first step is where processing starts; a transition whose `next` is empty ends processing
(the result is ready to be returned).

Units are referenced relatively where possible ("the competent agency", "the desk that
received the dossier") so one definition serves every commune; a named unit is stored by id,
with its electronic identifier and name kept beside it so an export can be re-mapped elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from motcua.core.schemas import MAX_ITEMS, Id

from .constants import LimitUnit, StepAction, StepKind, UnitRefKind

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class UnitRef(BaseModel):
    """Which unit is responsible for a step."""

    model_config = _STRICT
    ref: UnitRefKind = UnitRefKind.COMPETENT_AGENCY
    agency_id: Id | None = None
    # Kept for export and for people: the electronic identifier and name at saving time.
    agency_code: str = Field("", max_length=20)
    agency_name: str = Field("", max_length=255)

    @model_validator(mode="after")
    def _agency_named(self) -> UnitRef:
        if self.ref == UnitRefKind.AGENCY and self.agency_id is None and not self.agency_code:
            raise ValueError("agency_id or agency_code is required when ref is 'agency'")
        return self


class Transition(BaseModel):
    model_config = _STRICT
    action: StepAction
    next: str | None = Field(None, max_length=40)


class Step(BaseModel):
    model_config = _STRICT
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=255)
    kind: StepKind
    unit: UnitRef = Field(default_factory=UnitRef)
    role: str = Field(min_length=1, max_length=50)
    limit_amount: int = Field(ge=0, le=3650)
    limit_unit: LimitUnit = LimitUnit.WORKING_HOURS
    transitions: list[Transition] = Field(default_factory=list, max_length=MAX_ITEMS)
    # Consult steps: the units asked in parallel; all must answer before "forward" is taken.
    consult_units: list[UnitRef] = Field(default_factory=list, max_length=MAX_ITEMS)
    # External steps: the configured external system (settings.EXTERNAL_SYSTEMS) it goes to.
    system: str = Field("", max_length=30, pattern=r"^[a-z0-9_]*$")
    note: str = Field("", max_length=1000)

    def next_for(self, action: str) -> str | None:
        """The next step's key for `action`; KeyError when the step does not allow it."""
        for transition in self.transitions:
            if transition.action == action:
                return transition.next
        raise KeyError(action)

    def allows(self, action: str) -> bool:
        return any(t.action == action for t in self.transitions)

    @property
    def limit_minutes_hint(self) -> int:
        """The limit in office minutes assuming 8-hour days (for sums, not for deadlines)."""
        per = 60 if self.limit_unit == LimitUnit.WORKING_HOURS else 8 * 60
        return self.limit_amount * per


class WorkflowSpec(BaseModel):
    model_config = _STRICT
    # Validation walks the graph of steps: a workflow has tens of them, never thousands.
    steps: list[Step] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _keys_unique(self) -> WorkflowSpec:
        seen: set[str] = set()
        for step in self.steps:
            if step.key in seen:
                raise ValueError(f"duplicate step key {step.key!r}")
            seen.add(step.key)
        return self

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def as_document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def spec_parse(data: dict[str, Any]) -> WorkflowSpec:
    """Validate a document (raises pydantic.ValidationError)."""
    return WorkflowSpec.model_validate(data)


def spec_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
