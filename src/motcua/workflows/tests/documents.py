"""Workflow documents for tests: birth registration at a commune, step by step."""

from __future__ import annotations

import copy
from typing import Any

# Receive at the commune's one-stop unit → the civil-status officer processes → the chairman
# signs → the desk returns the result: 1 + 3 + 2 + 1 = 7 working hours (published: 1 day).
BIRTH_STEPS: list[dict[str, Any]] = [
    {
        "key": "receive",
        "name": "Tiếp nhận hồ sơ",
        "kind": "receive",
        "unit": {"ref": "receiving_desk"},
        "role": "receiving_officer",
        "limit_amount": 1,
        "limit_unit": "working_hours",
        "transitions": [{"action": "forward", "next": "process"}],
    },
    {
        "key": "process",
        "name": "Thẩm định hồ sơ",
        "kind": "process",
        "unit": {"ref": "competent_agency"},
        "role": "specialist",
        "limit_amount": 3,
        "limit_unit": "working_hours",
        "transitions": [
            {"action": "forward", "next": "sign"},
            {"action": "return", "next": "receive"},
            {"action": "refuse", "next": "sign"},
        ],
    },
    {
        "key": "sign",
        "name": "Ký giấy khai sinh",
        "kind": "sign",
        "unit": {"ref": "competent_agency"},
        "role": "agency_leader",
        "limit_amount": 2,
        "limit_unit": "working_hours",
        "transitions": [
            {"action": "forward", "next": "deliver"},
            {"action": "return", "next": "process"},
        ],
    },
    {
        "key": "deliver",
        "name": "Trả kết quả",
        "kind": "return",
        "unit": {"ref": "receiving_desk"},
        "role": "receiving_officer",
        "limit_amount": 1,
        "limit_unit": "working_hours",
        "transitions": [{"action": "forward", "next": None}],
    },
]


def birth_document(**step_changes: dict[str, Any]) -> dict[str, Any]:
    """The birth workflow; `step_changes={"process": {...}}` updates one step's fields."""
    steps = copy.deepcopy(BIRTH_STEPS)
    for step in steps:
        step.update(step_changes.get(step["key"], {}))
    return {"steps": steps}


def step(key: str, **fields: Any) -> dict[str, Any]:
    """A minimal step (process, specialist at the competent agency, 1 hour)."""
    return {
        "key": key,
        "name": fields.pop("name", key.title()),
        "kind": fields.pop("kind", "process"),
        "unit": fields.pop("unit", {"ref": "competent_agency"}),
        "role": fields.pop("role", "specialist"),
        "limit_amount": fields.pop("limit_amount", 1),
        "limit_unit": fields.pop("limit_unit", "working_hours"),
        "transitions": fields.pop("transitions", [{"action": "forward", "next": None}]),
        **fields,
    }
