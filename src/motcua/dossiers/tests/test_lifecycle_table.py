"""The lifecycle table walked cell by cell: every state × operation × role × in/out of scope.

For each cell the test knows, from its own hand-written expectation below (not from the
table), whether the operation must succeed; it then calls the real service inside a savepoint
that is rolled back, and asks the page's "actions you may take now" too. The service, the page
and the table must all agree with the expectation. A consulted unit's opinion needs a dossier
at a consult step and its consultation: `test_consultation_cells` walks it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from motcua.accounts.models import User
from motcua.core.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers import lifecycle, selectors
from motcua.dossiers.lifecycle import Op, State
from motcua.dossiers.services import (
    dossier_accept,
    dossier_act,
    dossier_apology_issue,
    dossier_assign,
    dossier_payment_received,
    dossier_refuse,
    dossier_request_payment,
    dossier_request_supplement,
    dossier_return,
    dossier_stop,
    dossier_submit,
    dossier_supplement_received,
    dossier_withdraw,
)
from motcua.workflows.units import officials_eligible

from .conftest import THREE, citizen, local
from .factories import draft_result

pytestmark = pytest.mark.django_db

S = State
T0 = local(2026, 3, 2, 9, 0)  # Monday; birth registration takes 3 working days here
NOW = local(2026, 3, 2, 11, 0)  # every cell acts at this moment (the apology is in time)

DESK, SPEC, UNIT, HEAD = "receiving_officer", "specialist", "unit_leader", "agency_leader"
ROLES = [DESK, SPEC, UNIT, HEAD, "inspector", "national_portal"]

# The birth dossier accepted sits at "tham-dinh" (a specialist's step); one step on it sits at
# "ky" (the commune chair's). Hand-written: which roles may do what, in which state.
STEP_ROLE = {S.ACCEPTED: SPEC, S.PROCESSING: HEAD}
OPEN = [S.ACCEPTED, S.PROCESSING, S.SUPPLEMENT_IN_PROCESSING, S.AWAITING_PAYMENT]
EXPECTED: dict[str, dict[str, set[str]]] = {
    Op.ACCEPT: {S.SUBMITTED: {DESK}},
    Op.REFUSE: {S.SUBMITTED: {DESK}, S.SUPPLEMENT_AT_RECEPTION: {DESK}},
    Op.SUPPLEMENT_REQUEST: {S.SUBMITTED: {DESK}, S.ACCEPTED: {SPEC}, S.PROCESSING: {HEAD}},
    Op.SUPPLEMENT_RECEIVED: {S.SUPPLEMENT_AT_RECEPTION: {DESK}, S.SUPPLEMENT_IN_PROCESSING: {DESK}},
    Op.STEP: {S.ACCEPTED: {SPEC}, S.PROCESSING: {HEAD}},
    Op.ASSIGN: {S.ACCEPTED: {UNIT, HEAD}, S.PROCESSING: {UNIT, HEAD}},
    Op.PAYMENT_REQUEST: {S.ACCEPTED: {SPEC}, S.PROCESSING: {HEAD}},
    # The payment wait began at the specialist's step: the step's official or the desk.
    Op.PAYMENT_RECEIVED: {S.AWAITING_PAYMENT: {SPEC, DESK}},
    Op.APOLOGY: {s: {HEAD} for s in OPEN},
    Op.RETURN_RESULT: {S.DONE: {DESK}},
    Op.WITHDRAW: {s: {DESK} for s in [S.SUBMITTED, S.SUPPLEMENT_AT_RECEPTION, *OPEN]},
    Op.STOP: {s: {UNIT, HEAD} for s in OPEN},
}
FLAG = {
    Op.ACCEPT: "accept",
    Op.REFUSE: "refuse",
    Op.SUPPLEMENT_REQUEST: "supplement_request",
    Op.SUPPLEMENT_RECEIVED: "supplement_received",
    Op.STEP: "moves",
    Op.ASSIGN: "assign",
    Op.PAYMENT_REQUEST: "payment_request",
    Op.PAYMENT_RECEIVED: "payment_received",
    Op.APOLOGY: "apology",
    Op.RETURN_RESULT: "return_result",
    Op.WITHDRAW: "withdraw",
    Op.STOP: "stop",
}

# A financial obligation by the tax authority's notice (the fees go through the payments app).
NOTICE = {"authority": "Thuế cơ sở 1 tỉnh Thái Nguyên", "notice_number": "TB-0001"}


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def build_states(world) -> dict[str, object]:
    """One birth dossier in each state, taken there through the services."""
    t = world.tree
    desk, spec, head = world["commune_officer"], world["commune_specialist"], world["commune_chair"]

    def new(i: int):
        return dossier_submit(
            actor=desk,
            procedure=world.birth,
            applicant=citizen(t["commune"].commune_id, id_number=f"0871900{i:05d}"),
            components=THREE,
            channel="direct",
            desk=t["osu"],
            now=at(i),
        )

    def v(d):
        return {"dossier": d, "expected_version": d.version}

    states: dict[str, object] = {}
    states[S.SUBMITTED] = new(1)
    d = new(2)
    states[S.SUPPLEMENT_AT_RECEPTION] = dossier_request_supplement(
        actor=desk, **v(d), items=["Giấy chứng sinh"], reason="Thiếu", now=at(3)
    )
    d = new(4)
    states[S.REFUSED] = dossier_refuse(actor=desk, **v(d), reasons=["Sai"], now=at(5))
    d = new(6)
    states[S.WITHDRAWN] = dossier_withdraw(actor=desk, **v(d), reason="Rút", now=at(7))

    def accepted(i: int):
        d = new(i)
        return dossier_accept(actor=desk, **v(d), now=at(i + 1))

    states[S.ACCEPTED] = accepted(10)
    d = accepted(12)
    states[S.PROCESSING] = dossier_act(actor=spec, **v(d), action="forward", now=at(14))
    draft_result(spec, d)  # at the chair's signing step: the draft they sign (R28)
    d = accepted(16)
    states[S.SUPPLEMENT_IN_PROCESSING] = dossier_request_supplement(
        actor=spec, **v(d), items=["Bản sao"], reason="Thiếu", now=at(18)
    )
    d = accepted(20)
    states[S.AWAITING_PAYMENT] = dossier_request_payment(
        actor=spec, **v(d), amount_vnd=50_000, **NOTICE, note="Thuế", now=at(22)
    )
    d = accepted(24)
    d = dossier_act(actor=spec, **v(d), action="forward", now=at(26))
    draft_result(spec, d)  # the chair signs it (R28)
    states[S.DONE] = dossier_act(actor=head, **v(d), action="forward", now=at(28))
    d = accepted(30)
    d = dossier_act(actor=spec, **v(d), action="forward", now=at(32))
    draft_result(spec, d)  # the chair signs it (R28)
    d = dossier_act(actor=head, **v(d), action="forward", now=at(34))
    states[S.RETURNED] = dossier_return(actor=desk, **v(d), now=at(36))
    d = accepted(40)
    states[S.STOPPED] = dossier_stop(actor=head, **v(d), reason="Dừng", now=at(42))
    for state, dossier in states.items():
        assert lifecycle.state_of(dossier) == state, (state, dossier.status)
    return states


def call(op: str, actor, d, world):
    v = {"actor": actor, "dossier": d, "expected_version": d.version, "now": NOW}
    if op == Op.ACCEPT:
        return dossier_accept(**v)
    if op == Op.REFUSE:
        return dossier_refuse(**v, reasons=["Không đủ điều kiện"])
    if op == Op.SUPPLEMENT_REQUEST:
        return dossier_request_supplement(**v, items=["Tờ khai"], reason="Sai sót")
    if op == Op.SUPPLEMENT_RECEIVED:
        return dossier_supplement_received(**v)
    if op == Op.STEP:
        return dossier_act(**v, action="forward", note="Xong")
    if op == Op.ASSIGN:
        try:
            step = lifecycle.current_step(d)
            assignee = officials_eligible(step=step, unit=d.step_agency, procedure=d.procedure)[0]
        except (Conflict, IndexError):
            assignee = world["commune_specialist"]
        return dossier_assign(**v, assignee=assignee)
    if op == Op.PAYMENT_REQUEST:
        return dossier_request_payment(**v, amount_vnd=100_000, **NOTICE, note="Thuế")
    if op == Op.PAYMENT_RECEIVED:
        return dossier_payment_received(**v)
    if op == Op.APOLOGY:
        due = d.due_at or NOW
        return dossier_apology_issue(**v, reason="Chậm", new_due_at=due + dt.timedelta(days=3))
    if op == Op.RETURN_RESULT:
        return dossier_return(**v)
    if op == Op.WITHDRAW:
        return dossier_withdraw(**v, reason="Theo đề nghị")
    if op == Op.STOP:
        return dossier_stop(**v, reason="Theo đề nghị")
    raise AssertionError(op)


class _Undo(Exception):
    pass


def outcome(op: str, actor, d, world) -> str:
    """ "ok", "forbidden" or "conflict", with every change rolled back."""
    try:
        with transaction.atomic():
            call(op, actor, d, world)
            raise _Undo
    except _Undo:
        return "ok"
    except NotAllowed:
        return "forbidden"
    except (Conflict, InvalidInput):
        return "conflict"


@pytest.fixture
def actors(world, make_official, superuser, roles):
    t = world.tree
    people: dict[tuple[str, bool], User] = {}
    for role in ROLES:
        if role == "national_portal":
            from motcua.accounts.services import grant_create, system_account_create

            for inside, place in ((True, t["commune"]), (False, t["commune2"])):
                user = system_account_create(
                    actor=superuser, username=f"sys.{inside}", full_name="Hệ thống", agency=place
                )
                grant_create(
                    actor=superuser,
                    user=user,
                    role=roles[role],
                    agency=place,
                    include_subtree=True,
                )
                people[(role, inside)] = User.objects.get(pk=user.pk)
            continue
        people[(role, True)] = make_official(
            f"in.{role}", t["commune"], [(role, t["commune"], True)]
        )
        people[(role, False)] = make_official(
            f"out.{role}", t["commune2"], [(role, t["commune2"], True)]
        )
    return people


@pytest.mark.parametrize("op", list(EXPECTED))
def test_every_cell_of_the_table(world, actors, superuser, op):
    states = build_states(world)
    walked = 0
    for state, d in states.items():
        sources = EXPECTED[op]
        cells = [(role, inside, actors[(role, inside)]) for role in ROLES for inside in (1, 0)]
        cells += [("superuser", True, superuser), ("nobody", False, None)]
        for role, inside, actor in cells:
            if role == "superuser":
                expected = state in sources
            else:
                expected = bool(inside) and role in sources.get(state, set())
            got = outcome(op, actor, d, world)
            assert (got == "ok") is expected, (op, state, role, inside, got)
            if not expected:
                # A wrong state is a conflict; a right state with the wrong person, forbidden.
                in_table = lifecycle.rule_for(op, d) is not None
                assert got == ("forbidden" if in_table else "conflict"), (op, state, role, got)
            # The table says the same, and the page offers exactly what works.
            assert lifecycle.allowed(op, actor, d, lifecycle.Context(now=NOW)) is expected
            if actor is not None:
                flag = getattr(selectors.dossier_actions(user=actor, dossier=d, now=NOW), FLAG[op])
                offered = bool(flag) if op != Op.ASSIGN else flag is not None
                assert offered is expected, (op, state, role, inside, "page")
            walked += 1
    assert walked == len(states) * (len(ROLES) * 2 + 2)


def test_creation_cells(world, actors, superuser):
    """Registering at a desk needs the desk's grant; an online dossier enters only through the
    intake identity or the applicant's own login, and is never accepted in the same call."""
    t = world.tree

    def submit(actor, **kw):
        base = {
            "actor": actor,
            "procedure": world.birth,
            "applicant": citizen(t["commune"].commune_id),
            "components": THREE,
            "now": NOW,
        }
        try:
            with transaction.atomic():
                dossier_submit(**{**base, **kw})
                raise _Undo
        except _Undo:
            return "ok"
        except NotAllowed:
            return "forbidden"
        except (Conflict, InvalidInput):
            return "invalid"

    for (role, inside), actor in actors.items():
        at_desk = submit(actor, channel="direct", desk=t["osu"])
        assert at_desk == ("ok" if (role == DESK and inside) else "forbidden"), (role, inside)
        online = submit(actor, channel="online")
        assert online == ("ok" if (role == "national_portal" and inside) else "forbidden"), (
            role,
            inside,
        )
        assert submit(actor, channel="online", accept=True) in ("invalid", "forbidden")
    assert submit(None, channel="online") == "forbidden"
    applicant = User.objects.create(username="dan", kind=User.Kind.CITIZEN)
    assert submit(applicant, channel="online") == "ok"
    assert submit(applicant, channel="direct", desk=t["osu"]) == "forbidden"


def test_consultation_cells(world, actors, superuser):
    """A consulted unit's opinion: only an official eligible at the consult step in the unit
    asked (here the second commune, where the "out" officials work) may give it, while the
    dossier is at that step; once the dossier is stopped, the call-off refuses everyone."""
    from motcua.dossiers.models import Consultation
    from motcua.dossiers.services import dossier_consult_answer
    from motcua.workflows.models import ProcessDefinition
    from motcua.workflows.spec import spec_hash

    t = world.tree
    doc = world.birth_definition.document
    doc["steps"][1]["transitions"] = [{"action": "consult", "next": "y-kien"}]
    doc["steps"].insert(
        2,
        {
            "key": "y-kien",
            "name": "Lấy ý kiến",
            "kind": "consult",
            "role": "specialist",
            "limit_amount": 4,
            "limit_unit": "working_hours",
            "unit": {"ref": "competent_agency"},
            "consult_units": [{"ref": "agency", "agency_id": t["commune2"].pk}],
            "transitions": [{"action": "forward", "next": "ky"}],
        },
    )
    ProcessDefinition.objects.filter(pk=world.birth_definition.pk).update(
        document=doc, content_hash=spec_hash(doc)
    )
    desk = world["commune_officer"]
    d = dossier_submit(
        actor=desk,
        procedure=world.birth,
        applicant=citizen(t["commune"].commune_id),
        components=THREE,
        channel="direct",
        desk=t["osu"],
        accept=True,
        now=T0,
    )
    d = dossier_act(
        actor=world["commune_specialist"],
        dossier=d,
        expected_version=d.version,
        action="consult",
        now=at(5),
    )
    (asked,) = Consultation.objects.filter(dossier=d)

    def answer(actor) -> str:
        try:
            with transaction.atomic():
                dossier_consult_answer(actor=actor, consultation=asked, opinion="Ý kiến", now=NOW)
                raise _Undo
        except _Undo:
            return "ok"
        except NotAllowed:
            return "forbidden"
        except (Conflict, InvalidInput):
            return "conflict"

    cells = [(role, inside, actors[(role, inside)]) for role in ROLES for inside in (1, 0)]
    cells += [("superuser", True, superuser), ("nobody", False, None)]
    for role, inside, actor in cells:
        expected = role == "superuser" or (role == SPEC and not inside)
        assert (answer(actor) == "ok") is expected, (role, inside)
        if actor is not None:
            offered = selectors.dossier_actions(user=actor, dossier=d, now=NOW).consultations
            assert (asked in offered) is expected, (role, inside, "page")
    d = dossier_stop(
        actor=world["commune_chair"], dossier=d, expected_version=d.version, reason="Dừng"
    )
    asked.refresh_from_db()
    assert asked.cancelled_at is not None and asked.answered_at is None  # kept, called off
    for role, inside, actor in cells:
        assert answer(actor) == "conflict", (role, inside)
