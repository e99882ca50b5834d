"""Benchmark the officials' reads at data volume: millions of dossiers on PostgreSQL.

    DATABASE_URL=postgres://… python manage.py bench_volume [--dossiers 1000000] [--keep] [--reuse]

1. Builds the demo province (`demo_setup`) and a province leader, then a set of template
   dossiers through the real services (`dossier_submit`, `_accept`, `_act`, `_return`,
   `_refuse`, `_withdraw`, `_stop`, `_request_supplement`): one per final status for each of a
   few procedures and desks, each with its real history rows and components.
2. Copies them into N dossiers by bulk SQL (`INSERT … SELECT … FROM generate_series`, 100,000 a
   statement): unique codes in the real shape, reception times spread over a year (over N / 2 M
   years for more than 2 M), a year's status mix (most returned, about 8 % open, those received
   in the last three weeks), varied Vietnamese names and numbers, `search_folded` as
   `Dossier.save` computes it, every time column moved with the reception; the history rows
   (~6 a dossier) and components (3) copied with the dossier ids remapped. The tables' secondary
   indexes are dropped for the load and created again from their own definitions (so the
   database ends with exactly the migrations' indexes), then VACUUM ANALYZE.
3. Times each read in process, through its real entry point (the pages and the API through
   Django's test client with a logged-in official, the selectors for the ledger query): median
   and p99 over repeated calls after a warm-up, and the plan of the slowest SQL query of a call
   (EXPLAIN (FORMAT JSON): its main nodes).

`--keep` leaves the generated dossiers in the database for a later `--reuse`, which measures
them again without generating (`make bench BENCH_VOLUME_DB=motcua_bench_10m`). Without `--keep`
the dossier tables are emptied at the end. The figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role, User
from motcua.catalog.models import Procedure
from motcua.core.keyset import keyset_page
from motcua.core.textnorm import fold
from motcua.core.workcalendar import TZ
from motcua.dossiers.constants import TERMINAL, Status
from motcua.dossiers.management.commands.bench_dossiers import bench_draft
from motcua.dossiers.models import Dossier, DossierComponent, DossierEvent
from motcua.dossiers.services.results import draft_current, result_required, signs_result
from motcua.organizations.models import Agency

BATCH = 100_000
SLOTS = 10_000  # the status and procedure mix, in ten-thousandths
DOSSIERS_PER_YEAR = 2_000_000
OPEN_DAYS = 20  # open dossiers were received in the last three weeks
LEADER = "lanhdao.tinh"  # the province leader the benchmark adds: sees every agency
# The business registration office (the enterprise registrations' processing step): the demo's
# specialist there, and the unit leader the benchmark adds (the demo has none there). (The land
# office's specialist holds a grant narrowed to a field: his desk lists nothing.)
SPECIALIST = "cv.stc.dkkd"
UNIT_LEADER = "tp.dkkd"
PAGE = 25
# Generated channels, cumulative per cent: 55 % online, 40 % in person, 5 % by post.
CHANNEL_MIX = (55, 95)

# A year's final statuses, per thousand dossiers: 8 % still open.
STATUS_MIX = {
    Status.RETURNED: 855,
    Status.REFUSED: 35,
    Status.WITHDRAWN: 18,
    Status.STOPPED: 12,
    Status.PROCESSING: 35,
    Status.DONE: 15,
    Status.ACCEPTED: 12,
    Status.SUPPLEMENT: 10,
    Status.SUBMITTED: 8,
}
# (procedure, weight in the province's intake) at each commune's one-stop desk, and (procedure,
# provincial desk, receiving officer, weight): the demo procedures whose workflow the demo's
# officials can take to every final status.
COMMUNE_PROCEDURES = [("1.001193", 20)]
PROVINCIAL = [
    ("2.001610", "center", "tn.ttpvhcc.1", 15),
    ("1.115784", "desk_09", "tn.ttpvhcc.1", 25),
]
COMPONENTS = [
    ("Tờ khai theo mẫu", 1, 0),
    ("Bản sao giấy tờ tùy thân", 0, 1),
    ("Giấy tờ chứng minh nơi cư trú", 0, 1),
]

# Names as a Đồng Tháp desk sees them: family names roughly by frequency (repeated), middle and
# given names of both sexes. Generated names combine them by hash of the row number.
FAMILY = (
    ["Nguyễn"] * 30
    + ["Trần"] * 10
    + ["Lê"] * 9
    + ["Huỳnh"] * 6
    + ["Phạm"] * 6
    + ["Võ"] * 5
    + ["Phan"] * 4
    + ["Hoàng"] * 3
    + ["Đặng"] * 2
    + ["Bùi"] * 2
    + ["Trương"] * 2
    + ["Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Lâm", "Mai", "Châu", "Đoàn", "Tô", "Tạ", "Quách"]
    + ["Lương", "Cao", "Thái", "Đinh", "La", "Kiều", "Vương", "Từ", "Diệp", "Thạch"]
)
MIDDLE = [
    "Văn", "Thị", "Văn", "Thị", "Hoàng", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Đức",
    "Thành", "Kim", "Thu", "Bảo", "Gia", "Xuân", "Hồng", "Anh", "Phương", "Công", "Trung",
    "Tuấn", "Mỹ", "Diệu", "Thùy", "Khánh", "Nhật", "Tấn", "Phước",
]  # fmt: skip
GIVEN = [
    "An", "Anh", "Bảo", "Bình", "Châu", "Chi", "Cường", "Dũng", "Duy", "Dương", "Đạt", "Giang",
    "Hà", "Hải", "Hạnh", "Hân", "Hiếu", "Hòa", "Hoa", "Hùng", "Huy", "Hương", "Khang", "Khánh",
    "Khoa", "Lan", "Linh", "Lộc", "Long", "Mai", "Minh", "My", "Nam", "Ngân", "Nghĩa", "Ngọc",
    "Nhi", "Nhung", "Phát", "Phong", "Phúc", "Phương", "Quân", "Quang", "Sơn", "Tài", "Tâm",
    "Thảo", "Thắng", "Thịnh", "Thu", "Thủy", "Tiến", "Trang", "Trí", "Trinh", "Trung", "Tú",
    "Tuấn", "Tuyết", "Uyên", "Vân", "Việt", "Vinh", "Vy", "Xuân", "Yến", "Lợi", "Hậu", "Kiệt",
]  # fmt: skip


def _official(
    username: str,
    full_name: str,
    position: str,
    *,
    agency: Agency,
    role: str,
    include_subtree: bool = False,
) -> User:
    """An official the benchmark adds to the demo province (once: the next runs find it)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    from motcua.accounts.services import grant_create, official_create

    admin = User.objects.get(username="admin")
    user = official_create(
        actor=admin, username=username, full_name=full_name, agency=agency, position=position
    )
    grant_create(
        actor=admin,
        user=user,
        role=Role.objects.get(code=role),
        agency=agency,
        include_subtree=include_subtree,
    )
    return user


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _h(k: int) -> str:
    """A pseudo-random non-negative bigint per generated row `i` (k: which one)."""
    return f"(hashint8extended(g.i, {k}) & 9223372036854775807)"


def _sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


@dataclass
class Result:
    name: str
    median_ms: float
    p99_ms: float
    calls: int
    plan: str
    slowest_ms: float = 0.0
    sql_ms: float = 0.0  # every statement of the captured call, together
    statements: int = 0


@dataclass
class Read:
    name: str
    call: Callable[[], object]
    repeat: int | None = None  # None: the command's --repeat
    notes: list[str] = field(default_factory=list)


@dataclass
class Setup:
    officer: User
    leader: User
    desk: Agency
    templates: list[int]
    # The desk's other roles: a specialist and a unit leader of a processing unit (the
    # business registration office), a commune chairman.
    specialist: User | None = None
    unit_leader: User | None = None
    chairman: User | None = None


class Command(BaseCommand):
    help = "Generate N dossiers on PostgreSQL and time the officials' reads over them."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=1_000_000)
        parser.add_argument(
            "--keep", action="store_true", help="leave the generated dossiers (for --reuse)"
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure the dossiers a previous --keep run left, if any, without generating",
        )
        parser.add_argument("--repeat", type=int, default=20, help="timed calls of each read")
        parser.add_argument(
            "--scan-runs", type=int, default=1, help="due_warnings_scan runs (0: none)"
        )
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            help="measure only the reads whose name contains this text (repeatable)",
        )
        parser.add_argument(
            "--skip-counts",
            action="store_true",
            help="leave the reports' counts unbuilt (16 min at 10 M): the report page then "
            "reads empty month counts; its open-dossier reads are unchanged",
        )

    def handle(
        self,
        *args,
        dossiers,
        keep,
        reuse,
        repeat,
        scan_runs,
        batch,
        skip_counts=False,
        only=(),
        **options,
    ):
        self.only = list(only or [])
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench_volume runs on PostgreSQL only (bulk SQL, trigram index, plans): set "
                "DATABASE_URL=postgres://…"
            )
        self.restore_indexes()  # left dropped by an interrupted load, if any
        generated = Dossier.objects.count()
        if generated and not reuse:
            raise CommandError("The database already has dossiers: use an empty one, or --reuse.")
        started = time.perf_counter()
        setup = self.setup()
        self.stdout.write(
            f"demo province and {len(setup.templates)} template dossiers built in "
            f"{time.perf_counter() - started:.1f} s"
        )
        if generated and reuse:
            self.stdout.write(f"reusing {generated:,} dossiers already in the database")
        else:
            self.generate(dossiers, setup.templates, batch=batch)
        if not skip_counts:
            self.fill_counts()
        total = Dossier.objects.count()
        open_ = Dossier.objects.filter(is_sandbox=False).exclude(status__in=TERMINAL).count()
        self.stdout.write(f"dossiers: {total:,}, of which open {open_:,} ({open_ / total:.1%})")
        try:
            results = self.measure(setup, repeat=repeat, scan_runs=scan_runs)
        finally:
            if not keep:
                self.empty()
        self.report(results)

    # -- templates -----------------------------------------------------------------------------

    def setup(self) -> Setup:
        """The demo province, the province leader, and the template dossiers (made once)."""
        from motcua.demo import data
        from motcua.demo.services import demo_setup

        demo_setup()
        root = Agency.objects.get(code=data.ROOT["code"])
        leader = _official(
            LEADER,
            "Chủ tịch UBND tỉnh (benchmark)",
            "Chủ tịch UBND tỉnh",
            agency=root,
            role="agency_leader",
            include_subtree=True,
        )
        key = data.COMMUNES[0][0]
        officer = User.objects.get(username=f"tn.{key}")
        desk = self._agency(f"{key}_desk")
        specialist = User.objects.get(username=SPECIALIST)
        unit = specialist.grants.filter(revoked_at__isnull=True).first().agency
        unit_leader = _official(
            UNIT_LEADER,
            "Trưởng phòng Đăng ký kinh doanh (benchmark)",
            "Trưởng phòng",
            agency=unit,
            role="unit_leader",
        )
        chairman = User.objects.get(username=f"ct.{key}")
        templates = list(
            Dossier.objects.filter(applicant_name__startswith=TEMPLATE_MARK)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not templates:
            templates = self.make_templates()
        return Setup(
            officer=officer,
            leader=leader,
            desk=desk,
            templates=templates,
            specialist=specialist,
            unit_leader=unit_leader,
            chairman=chairman,
        )

    def _agency(self, key: str) -> Agency:
        """A demo agency by its key in demo.data (commune desks are `<commune>_desk`)."""
        from motcua.demo import data

        if key == "center":
            return Agency.objects.get(code=data.CENTER["code"])
        names = dict(data.DESKS)
        if key in names:
            return Agency.objects.get(name=names[key])
        commune, _, what = key.partition("_")
        code = next(c for k, c, _n, _g in data.COMMUNES if k == commune)
        pc = Agency.objects.get(commune_id=code, kind="commune_pc")
        osu = Agency.objects.get(parent=pc, kind="one_stop_unit")
        return Agency.objects.get(parent=osu, kind="desk") if what == "desk" else osu

    def combos(self) -> list[tuple[Procedure, Agency, User, int, int]]:
        """(procedure, desk, receiving officer, applicant's commune, weight) of the templates."""
        from motcua.demo import data

        out = []
        for key, commune, _name, _group in data.COMMUNES:
            officer = User.objects.get(username=f"tn.{key}")
            for code, weight in COMMUNE_PROCEDURES:
                procedure = Procedure.objects.get(code=code)
                out.append((procedure, self._agency(f"{key}_desk"), officer, commune, weight))
        for code, desk, username, weight in PROVINCIAL:
            out.append(
                (
                    Procedure.objects.get(code=code),
                    self._agency(desk),
                    User.objects.get(username=username),
                    data.SEAT_COMMUNE,
                    weight * len(data.COMMUNES),
                )
            )
        return out

    def make_templates(self) -> list[int]:
        """One dossier per final status for each procedure and desk, through the services. A
        path a procedure's workflow does not allow (no official eligible, say) is skipped."""
        from motcua.core.errors import DomainError

        # Eight in the morning, local, on a weekday some weeks ago: the steps follow half an
        # hour apart, so a template's whole history fits in an office day.
        day = timezone.localdate() - dt.timedelta(days=40)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        t0 = dt.datetime.combine(day, dt.time(8), tzinfo=TZ)
        made: list[int] = []
        officials = list(User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True))
        for n, (procedure, desk, officer, commune, weight) in enumerate(self.combos()):
            for status in STATUS_MIX:
                try:
                    # A path that fails leaves nothing behind (a half-made template would be
                    # copied by a later --reuse).
                    with transaction.atomic():
                        d = self._drive(procedure, desk, officer, commune, status, t0, officials, n)
                        if d.status != status:
                            raise _Skip(f"ended {d.status}")
                except (DomainError, IndexError, StopIteration, _Skip) as e:
                    self.stderr.write(f"template {procedure.code} → {status} skipped: {e!r}")
                    continue
                made.append(d.pk)
                _WEIGHTS[d.pk] = weight * STATUS_MIX[status]
        if not made:
            raise CommandError("No template dossier could be made.")
        return made

    def _drive(self, procedure, desk, officer, commune, target, t0, officials, n) -> Dossier:
        from motcua.dossiers import services
        from motcua.dossiers.lifecycle import Context, Op, allowed
        from motcua.dossiers.process import current_step
        from motcua.workflows.units import officials_eligible

        now = t0

        def tick() -> dt.datetime:
            nonlocal now
            now += dt.timedelta(minutes=30)
            return now

        def who(op: str, d: Dossier) -> User:
            return next(u for u in [officer, *officials] if allowed(op, u, d, Context(now=now)))

        d = services.dossier_submit(
            actor=officer,
            procedure=procedure,
            applicant=services.Applicant(
                kind="citizen",
                name=f"{TEMPLATE_MARK} {n} {target}",
                id_number=f"{870_000_000_000 + n * 100 + len(target):012d}",
                phone="0912345678",
                address="Số 1, đường 30 Tháng 4",
                commune_id=commune,
            ),
            components=[
                services.ComponentIn(name=name, originals=o, copies=c) for name, o, c in COMPONENTS
            ],
            desk=desk,
            summary="Hồ sơ mẫu của phép đo khối lượng dữ liệu",
            now=now,
        )
        if target == Status.SUBMITTED:
            return d
        if target == Status.REFUSED:
            return services.dossier_refuse(
                actor=officer,
                dossier=d,
                expected_version=d.version,
                reasons=["Hồ sơ không thuộc thẩm quyền giải quyết"],
                now=tick(),
            )
        if target == Status.SUPPLEMENT:
            return services.dossier_request_supplement(
                actor=officer,
                dossier=d,
                expected_version=d.version,
                items=["Bản sao giấy tờ tùy thân"],
                reason="Bản sao không rõ",
                now=tick(),
            )
        d = services.dossier_accept(
            actor=officer, dossier=d, expected_version=d.version, now=tick()
        )
        if target == Status.ACCEPTED:
            return d
        if target == Status.WITHDRAWN:
            return services.dossier_withdraw(
                actor=officer,
                dossier=d,
                expected_version=d.version,
                reason="Công dân xin rút hồ sơ",
                now=tick(),
            )
        while d.status in (Status.ACCEPTED, Status.PROCESSING):
            step = current_step(d)
            actor = officials_eligible(step=step, unit=d.step_agency, procedure=procedure)[0]
            action = "approve" if step.allows("approve") else "forward"
            if result_required(d) and signs_result(d, step, action) and draft_current(d) is None:
                bench_draft(officer, d)
            d = services.dossier_act(
                actor=actor, dossier=d, expected_version=d.version, action=action, now=tick()
            )
            if target == Status.PROCESSING and d.status == Status.PROCESSING:
                return d
            if target == Status.STOPPED and d.status == Status.PROCESSING:
                return services.dossier_stop(
                    actor=who(Op.STOP, d),
                    dossier=d,
                    expected_version=d.version,
                    reason="Cơ quan có thẩm quyền dừng giải quyết",
                    now=tick(),
                )
        if target == Status.DONE:
            return d
        return services.dossier_return(
            actor=who(Op.RETURN_RESULT, d), dossier=d, expected_version=d.version, now=tick()
        )

    # -- generation ----------------------------------------------------------------------------

    def _plan(self, cursor, templates: list[int], span_days: int) -> None:
        """bench_volume_plan(slot, template_id, window_days): which template each ten-thousandth
        of the generated rows copies (the status and procedure mix), and over how many days
        before today its reception falls."""
        weights = {pk: _WEIGHTS.get(pk, 1) for pk in templates}
        if not _WEIGHTS:  # templates from an earlier run (--reuse without data): from the DB
            rows = Dossier.objects.filter(pk__in=templates).values_list("pk", "status")
            weights = {pk: STATUS_MIX.get(status, 1) for pk, status in rows}
        statuses = dict(Dossier.objects.filter(pk__in=templates).values_list("pk", "status"))
        # The open dossiers are the last weeks' intake whatever the years behind them: over
        # several years they are a smaller share of the table.
        years = span_days // 365
        weights = {pk: w if statuses[pk] in TERMINAL else w / years for pk, w in weights.items()}
        total = sum(weights.values())
        shares = {pk: w * SLOTS / total for pk, w in weights.items()}
        counts = {pk: int(s) for pk, s in shares.items()}
        rest = SLOTS - sum(counts.values())
        for pk in sorted(shares, key=lambda p: shares[p] - counts[p], reverse=True)[:rest]:
            counts[pk] += 1
        rows, slot = [], 0
        for pk in templates:
            window = span_days if statuses[pk] in TERMINAL else OPEN_DAYS
            for _ in range(counts[pk]):
                rows.append((slot, pk, window))
                slot += 1
        cursor.execute(
            "CREATE TEMP TABLE bench_volume_plan "
            "(slot int PRIMARY KEY, template_id bigint, window_days int)"
        )
        cursor.executemany("INSERT INTO bench_volume_plan VALUES (%s, %s, %s)", rows)

    def _statements(self, midnight: dt.datetime) -> tuple[str, str, str]:
        """The three INSERT … SELECT statements of one batch (parameters: first and last row
        number, the base id): dossiers, their history, their components."""
        q = connection.ops.quote_name
        fields = Dossier._meta.concrete_fields
        # Row i: its template (by slot), and the shift from the template's reception to its
        # own: a day in its window before today, between 7:00 and 17:00 local.
        rows = (
            "SELECT g.i, p.template_id AS tid, "  # noqa: S608 — model names; values are params
            f"(%(midnight)s::timestamptz - (1 + {_h(1)} % p.window_days) * interval '1 day' "
            f"+ (25200 + {_h(2)} % 36000) * interval '1 second') - t.submitted_at AS shift "
            "FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g(i) "
            f"JOIN bench_volume_plan p ON p.slot = {_h(0)} % {SLOTS} "
            f"JOIN {q(Dossier._meta.db_table)} t ON t.id = p.template_id"
        )
        family, middle, given = FAMILY, MIDDLE, GIVEN
        pick = (
            f"({_sql_array(family)})[1 + {_h(3)} % {len(family)}], "
            f"({_sql_array(middle)})[1 + {_h(4)} % {len(middle)}], "
            f"({_sql_array(given)})[1 + {_h(5)} % {len(given)}]"
        )
        folded = pick.replace(_sql_array(family), _sql_array([fold(x) for x in family]))
        folded = folded.replace(_sql_array(middle), _sql_array([fold(x) for x in middle]))
        folded = folded.replace(_sql_array(given), _sql_array([fold(x) for x in given]))
        name = f"concat_ws(' ', {pick})"
        folded_name = f"concat_ws(' ', {folded})"
        # <agency identifier>-<yyMMdd>-<sequence>: the template's identifier, the local day of
        # the new reception, and a sequence no template uses (from 100000 up).
        code = (
            "split_part(t.code, '-', 1) || '-' || "
            "to_char((t.submitted_at + g.shift) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') "
            "|| '-' || (100000 + g.i)::text"
        )
        exprs = {
            "id": "%(base)s + g.i",
            "code": code,
            "external_code": "''",
            # Unique keys of delivery: the copies are nobody's (a template's would collide).
            "source_system": "''",
            "source_key": "''",
            "applicant_name": name,
            "applicant_id_number": f"lpad(({_h(6)} % 1000000000000)::text, 12, '0')",
            "applicant_phone": f"'09' || lpad(({_h(7)} % 100000000)::text, 8, '0')",
            "search_folded": f"lower({code}) || ' ' || {folded_name}",
            # The channel mix of a year since the national portal took the online intake: the
            # worklist's channel filter then selects a large, a middle and a small share.
            "channel": (
                f"CASE WHEN {_h(8)} % 100 < {CHANNEL_MIX[0]} THEN 'online' "
                f"WHEN {_h(8)} % 100 < {CHANNEL_MIX[1]} THEN 'direct' ELSE 'post' END"
            ),
        }
        columns, values = [], []
        for f in fields:
            columns.append(q(f.column))
            if f.column in exprs:
                values.append(exprs[f.column])
            elif f.get_internal_type() == "DateTimeField":
                values.append(f"t.{q(f.column)} + g.shift")
            else:
                values.append(f"t.{q(f.column)}")
        dossiers = (
            f"INSERT INTO {q(Dossier._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM ({rows}) g "
            f"JOIN {q(Dossier._meta.db_table)} t ON t.id = g.tid"
        )

        def copy(model, remap: dict[str, str]) -> str:
            cols, vals = [], []
            for f in model._meta.concrete_fields:
                if f.primary_key:
                    continue
                cols.append(q(f.column))
                if f.column in remap:
                    vals.append(remap[f.column])
                elif f.get_internal_type() == "DateTimeField":
                    vals.append(f"x.{q(f.column)} + g.shift")
                else:
                    vals.append(f"x.{q(f.column)}")
            return (
                f"INSERT INTO {q(model._meta.db_table)} ({', '.join(cols)}) "  # noqa: S608
                f"SELECT {', '.join(vals)} FROM ({rows}) g "
                f"JOIN {q(model._meta.db_table)} x ON x.dossier_id = g.tid "
                f"ORDER BY g.i"
            )

        events = copy(DossierEvent, {"dossier_id": "%(base)s + g.i"})
        components = copy(DossierComponent, {"dossier_id": "%(base)s + g.i"})
        # The modulo operator, written `%%` beside the statements' parameters.
        return tuple(s.replace(" % ", " %% ") for s in (dossiers, events, components))

    def generate(self, n: int, templates: list[int], *, batch: int = BATCH) -> None:
        """N dossiers copied from the templates, `batch` a statement, the secondary indexes
        dropped meanwhile; then the indexes again, VACUUM ANALYZE."""
        if n <= 0:
            return
        years = max(1, -(-n // DOSSIERS_PER_YEAR))
        span_days = 365 * years
        midnight = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=TZ)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossier")
            base = cursor.fetchone()[0]
            self._plan(cursor, templates, span_days)
            statements = self._statements(midnight)
            with self._fast_load(cursor):
                done = 0
                while done < n:
                    hi = min(n, done + batch)
                    params = {"lo": done + 1, "hi": hi, "base": base, "midnight": midnight}
                    for sql in statements:
                        cursor.execute(sql, params)
                    done = hi
                    self._progress(done, n, started)
                self.stderr.write("")
                loaded = time.perf_counter() - started
                self.stdout.write(
                    f"loaded {n:,} dossiers in {loaded:.1f} s ({n / loaded:,.0f} dossiers/s); "
                    "creating the indexes again…"
                )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), "
                "(SELECT max(id) FROM dossiers_dossier))"
            )
            cursor.execute("DROP TABLE bench_volume_plan")
        indexed = time.perf_counter()
        self.stdout.write(f"indexes created in {indexed - started - loaded:.1f} s")
        self._analyze()
        elapsed = time.perf_counter() - started
        events = DossierEvent.objects.count()
        components = DossierComponent.objects.count()
        self.stdout.write(
            f"generated {n:,} dossiers ({events:,} history rows, {components:,} components, "
            f"{years} year(s) of reception) in {elapsed:.1f} s: {n / elapsed:,.0f} dossiers/s, "
            f"{(n + events + components) / elapsed:,.0f} rows/s; "
            f"VACUUM ANALYZE {time.perf_counter() - indexed:.1f} s"
        )

    def fill_counts(self) -> None:
        """The counts for reports of the generated dossiers (their history was written by SQL,
        not through `write_events`): rebuilt from the history month by month, as a province
        does once when it upgrades, then the ended months rolled up. Skipped when every
        dossier is counted as received already (a --reuse run)."""
        from motcua.reports.management.commands._range import by_month
        from motcua.reports.models import DailyCount
        from motcua.reports.rules import local_day
        from motcua.reports.services import counts_rebuild, counts_rollup_ended

        received = DailyCount.objects.aggregate(n=Sum("received"))["n"] or 0
        if received == Dossier.objects.filter(is_sandbox=False).count():
            return
        first = DossierEvent.objects.order_by("at").values_list("at", flat=True).first()
        if first is None:
            return
        started = time.perf_counter()
        chunks = by_month(local_day(first), timezone.localdate())
        rows = 0
        for i, (a, b) in enumerate(chunks, start=1):
            rows += counts_rebuild(a, b)
            self._progress(i, len(chunks), started, unit="months")
        self.stderr.write("")
        rebuilt = time.perf_counter() - started
        months = counts_rollup_ended()
        self.stdout.write(
            f"counts for reports rebuilt from the history: {rows:,} daily rows in "
            f"{rebuilt:.1f} s; {len(months)} month(s) rolled up in "
            f"{time.perf_counter() - started - rebuilt:.1f} s"
        )

    def _progress(self, done: int, n: int, started: float, *, unit: str = "dossiers") -> None:
        elapsed = time.perf_counter() - started
        rate = done / elapsed if elapsed else 0
        eta = (n - done) / rate if rate else 0
        width = 30
        bar = "#" * round(width * done / n)
        self.stderr.write(
            f"\r[{bar:<{width}}] {done:,}/{n:,} {unit}  {rate:,.1f}/s  "
            f"ETA {int(eta) // 60}:{int(eta) % 60:02d}  ",
            ending="",
        )
        self.stderr.flush()

    TABLES = ("dossiers_dossier", "dossiers_dossierevent", "dossiers_dossiercomponent")

    @contextmanager
    def _fast_load(self, cursor):
        """Load without the full secondary indexes (kept in bench_volume_index until created again,
        so an interrupted run restores them next time), foreign-key triggers (superuser only:
        the copied references are the templates' own) and waits for the WAL flush."""
        if connection.in_atomic_block:
            # Inside a transaction (the tests'), deferred foreign-key checks still pending
            # forbid dropping and creating indexes: run them now, and those of the load as it goes.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_volume_index (name text PRIMARY KEY, def text)"
        )
        cursor.execute(
            "INSERT INTO bench_volume_index "
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            # The partial indexes hold only the few open dossiers, cheap to keep up; and their
            # definitions, read back, would not be the migrations' text.
            "AND i.indpred IS NULL "
            "ON CONFLICT DO NOTHING",
            [list(self.TABLES)],
        )
        cursor.execute("SELECT name FROM bench_volume_index")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            if superuser:
                cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET synchronous_commit = DEFAULT")
            self.restore_indexes()
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def restore_indexes(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_volume_index') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SELECT name, def FROM bench_volume_index ORDER BY name")
            for name, definition in cursor.fetchall():
                cursor.execute(
                    re.sub(r"^CREATE (UNIQUE )?INDEX ", r"\g<0>IF NOT EXISTS ", definition)
                )
                cursor.execute("DELETE FROM bench_volume_index WHERE name = %s", [name])
            cursor.execute("DROP TABLE bench_volume_index")
            cursor.execute("RESET maintenance_work_mem")

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            for table in self.TABLES:
                # VACUUM (for index-only scans) cannot run inside a transaction (the tests').
                verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                cursor.execute(f"{verb} {table}")

    def empty(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE dossiers_dossier, dossiers_dossierevent, dossiers_dossiercomponent "
                "CASCADE"
            )

    # -- reads -----------------------------------------------------------------------------------

    def reads(self, setup: Setup) -> list[Read]:
        from motcua.dossiers import selectors
        from motcua.dossiers.ledger import ledger_rows
        from motcua.dossiers.services import due_warnings_scan

        officer, leader, desk = setup.officer, setup.leader, setup.desk
        as_officer = Client(SERVER_NAME="localhost")
        as_officer.force_login(officer)
        as_leader = Client(SERVER_NAME="localhost")
        as_leader.force_login(leader)
        public = Client(SERVER_NAME="localhost")
        url = reverse("dossiers:list")

        page1 = keyset_page(
            selectors.dossiers_worklist(user=officer), selectors.list_order(False), cursor=None,
            size=PAGE,
        )  # fmt: skip
        # The officer's generated dossiers: one to look up, one name to search.
        sample = (
            Dossier.objects.filter(receiving_agency=desk)
            .exclude(applicant_name__startswith=TEMPLATE_MARK)
            .order_by("-submitted_at")
            .values("pk", "code", "applicant_id_number", "applicant_phone", "applicant_name")[:50]
        )
        sample = list(sample)
        if not sample:
            raise CommandError("No generated dossier at the officer's desk.")
        target = sample[0]
        fragment = " ".join(target["applicant_name"].split()[-2:])  # middle and given name
        month_end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        month = month_end.replace(day=1)
        day = month + dt.timedelta(days=14)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        agency = desk.parent.parent  # the commune's people's committee
        tracked = iter(range(10**9))

        def get(client: Client, path: str, **params) -> Callable[[], object]:
            def call():
                response = client.get(path, params)
                if response.status_code != 200:
                    raise CommandError(f"GET {path} {params}: {response.status_code}")
                return response

            return call

        def track():
            d = sample[next(tracked) % len(sample)]
            response = public.post(
                "/api/v1/tracking",
                {"code": d["code"], "factor": d["applicant_phone"]},
                content_type="application/json",
            )
            if response.status_code != 200:
                raise CommandError(f"tracking {d['code']}: {response.status_code}")
            return response

        def ledger():
            return list(ledger_rows(selectors.ledger_dossiers(desk=desk, start=day, end=day)))

        existing = [
            Read("worklist p1, receiving officer", get(as_officer, url)),
            Read("worklist p1, province leader", get(as_leader, url)),
            Read("worklist p1, my work (officer)", get(as_officer, url, cua_toi="1")),
            Read("worklist p2 (cursor), officer", get(as_officer, url, trang=page1.next)),
            Read(
                f"closed {month:%m/%Y}, officer",
                get(
                    as_officer,
                    url,
                    da_ket_thuc="1",
                    tu_ngay=month.isoformat(),
                    den_ngay=month_end.isoformat(),
                ),
            ),
            Read(
                f"closed {month:%m/%Y}, leader",
                get(
                    as_leader,
                    url,
                    da_ket_thuc="1",
                    tu_ngay=month.isoformat(),
                    den_ngay=month_end.isoformat(),
                ),
            ),
            Read("search exact code, officer", get(as_officer, url, q=target["code"])),
            Read(
                "search identity number, officer",
                get(as_officer, url, q=target["applicant_id_number"]),
            ),
            Read(f"search name “{fragment}”, officer", get(as_officer, url, q=fragment)),
            Read(f"search name “{fragment}”, leader", get(as_leader, url, q=fragment)),
            Read(
                "API list ?agency=commune, leader",
                get(as_leader, "/api/v1/dossiers", agency=str(agency.pk)),
            ),
            Read(f"ledger query, one desk, {day:%d/%m/%Y}", ledger),
            Read(
                "detail page, officer",
                get(as_officer, reverse("dossiers:detail", args=[target["pk"]])),
            ),
            Read("public tracking (API)", track),
            Read(f"766 month {month:%m/%Y}, province", lambda: month_counts(month)),
            Read("due_warnings_scan", lambda: due_warnings_scan(), repeat=-1),
        ]
        scan = existing.pop()  # the scan writes warnings: last, after every page
        return [
            *existing,
            *self.desk_reads(setup, get),
            *self.filter_reads(setup, get, month=month, month_end=month_end),
            *self.report_reads(setup, get),
            *self.export_reads(setup),
            scan,
        ]

    # -- issue 14: the desk's tabs, the worklist's filters, the leaders' report, the export ----

    def _client(self, user: User) -> Client:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        return client

    def _roles(self, setup: Setup) -> list[tuple[str, User]]:
        return [
            ("receiving officer", setup.officer),
            ("specialist", setup.specialist),
            ("unit leader", setup.unit_leader),
            ("province leader", setup.leader),
        ]

    def desk_reads(self, setup: Setup, get) -> list[Read]:
        """The desk's tab counts as the page renders them (`selectors.desk_tabs`, capped at
        1,000, over every post the official holds), and each tab's page, for four roles."""
        from motcua.dossiers import selectors
        from motcua.dossiers.views import COUNT_CAP
        from motcua.dossiers.worklist import SLUG_OF, TAB

        url = reverse("dossiers:list")
        out = []
        for role, user in self._roles(setup):
            client = self._client(user)

            def counts(user=user):
                # A fresh user object per call, as per request: nothing kept from the last.
                fresh = User.objects.get(pk=user.pk)
                return selectors.desk_tabs(user=fresh, now=timezone.now(), cap=COUNT_CAP)

            shown = [t.key for t in counts()]
            out.append(Read(f"desk tab counts ({len(shown)}), {role}", counts))
            for key in shown:
                out.append(
                    Read(f"tab {SLUG_OF[key]}, {role}", get(client, url, **{TAB: SLUG_OF[key]}))
                )
        return out

    def filter_reads(self, setup: Setup, get, *, month: dt.date, month_end: dt.date) -> list[Read]:
        """Each worklist filter alone, then combined, over the open dossiers and (where the
        list allows: the closed ones of a period) over the closed, as the officer and the
        province leader; a filter that matches nothing reads its whole range."""
        from motcua.dossiers import worklist as w

        url = reverse("dossiers:list")
        today = timezone.localdate()
        week_ago = today - dt.timedelta(days=7)
        in_week = today + dt.timedelta(days=7)
        desk_procedure = COMMUNE_PROCEDURES[0][0]
        provincial = PROVINCIAL[1][0]
        field_of = dict(Procedure.objects.values_list("code", "field_id"))
        alone = [
            ("procedure", {w.PROCEDURE: provincial}),
            ("field", {w.FIELD: str(field_of[provincial])}),
            ("channel online", {w.CHANNEL: "online"}),
            ("channel post", {w.CHANNEL: "post"}),
            ("received last 7 days", {w.RECEIVED_FROM: str(week_ago), w.RECEIVED_TO: str(today)}),
            ("due next 7 days", {w.DUE_FROM: str(today), w.DUE_TO: str(in_week)}),
            ("overdue only", {w.OVERDUE: "1"}),
            ("status processing", {w.STATUS: Status.PROCESSING}),
            ("status supplement", {w.STATUS: Status.SUPPLEMENT}),
        ]
        combined = [
            (
                "procedure+channel+overdue",
                {w.PROCEDURE: provincial, w.CHANNEL: "post", w.OVERDUE: "1"},
            ),
            (
                "field+received+due",
                {
                    w.FIELD: str(field_of[provincial]),
                    w.RECEIVED_FROM: str(week_ago),
                    w.DUE_FROM: str(today),
                    w.DUE_TO: str(in_week),
                },
            ),
            (
                "status+channel+due",
                {w.STATUS: Status.ACCEPTED, w.CHANNEL: "post", w.DUE_TO: str(in_week)},
            ),
            (
                "search+procedure+overdue",
                {w.Q: "nguyen van", w.PROCEDURE: provincial, w.OVERDUE: "1"},
            ),
            # Nothing matches: the desk's procedure is not the land office's.
            (
                "none match (procedure×field)",
                {w.PROCEDURE: desk_procedure, w.FIELD: str(field_of[provincial])},
            ),
        ]
        period = {w.CLOSED: "1", w.SINCE: str(month), w.UNTIL: str(month_end)}
        year = {w.CLOSED: "1", w.SINCE: str(today - dt.timedelta(days=365)), w.UNTIL: str(today)}
        post = {w.PROCEDURE: provincial, w.CHANNEL: "post"}
        none = {w.PROCEDURE: desk_procedure, w.FIELD: str(field_of[provincial])}
        closed = [
            ("closed month + procedure", {**period, w.PROCEDURE: provincial}),
            ("closed month + field", {**period, w.FIELD: str(field_of[desk_procedure])}),
            ("closed month + channel post", {**period, w.CHANNEL: "post"}),
            ("closed month + status refused", {**period, w.STATUS: Status.REFUSED}),
            (
                "closed month + received+due",
                {
                    **period,
                    w.RECEIVED_FROM: str(month + dt.timedelta(days=7)),
                    w.RECEIVED_TO: str(month + dt.timedelta(days=13)),
                    w.DUE_FROM: str(month + dt.timedelta(days=14)),
                },
            ),
            ("closed year + status stopped", {**year, w.STATUS: Status.STOPPED}),
            ("closed year + procedure+channel post", {**year, **post}),
            ("closed year + none match", {**year, **none}),
        ]  # fmt: skip
        out = []
        for role, user in (("officer", setup.officer), ("leader", setup.leader)):
            client = self._client(user)
            for name, params in [*alone, *combined, *closed]:
                out.append(Read(f"filter {name}, {role}", get(client, url, **params)))
        return out

    def report_reads(self, setup: Setup, get) -> list[Read]:
        """The leaders' report: the page (this and last month's counts, the open dossiers each
        unit holds now, the late and at-risk list's first page and its capped count), its next
        page, and the two dossier reads on their own."""
        from motcua.dossiers import selectors
        from motcua.reports.selectors import report_agency_ids, report_at_risk

        url = reverse("reports:report")
        out = []
        for role, user in (("province leader", setup.leader), ("commune chairman", setup.chairman)):
            client = self._client(user)
            out.append(Read(f"report page, {role}", get(client, url)))
            # The list's next page as its link carries it (the page's own selector and order).
            at_risk_qs = report_at_risk(user, now=timezone.now())
            nxt = keyset_page(at_risk_qs, selectors.OPEN_ORDER, cursor=None, size=PAGE).next
            if nxt:
                out.append(Read(f"report at-risk p2, {role}", get(client, url, trang=nxt)))
            ids = report_agency_ids(user)

            def held(ids=ids):
                return selectors.open_by_unit(ids, timezone.now())

            def at_risk(ids=ids):
                qs = selectors.dossiers_at_risk(ids, timezone.now())
                return keyset_page(qs, selectors.OPEN_ORDER, cursor=None, size=PAGE).items

            out.append(Read(f"report held now (open_by_unit), {role}", held))
            out.append(Read(f"report at-risk p1 (selector), {role}", at_risk))
        return out

    def export_reads(self, setup: Setup) -> list[Read]:
        """The .xlsx of a filtered desk list: asked for by the list's button (POST) and made
        (eagerly, as without a broker, or here by `export_render` when the request's
        transaction defers it), for a list of about a page and for one of a thousand rows."""
        from motcua.dossiers import worklist as w
        from motcua.exports.models import ExportJob
        from motcua.exports.services import export_render

        provincial = PROVINCIAL[1][0]
        url = reverse("dossiers:export")
        listed = reverse("dossiers:list")  # where a refused export goes back to

        def export(client: Client, query: str):
            def call():
                response = client.post(url, {"query": query})
                if response.status_code != 302 or response.url.startswith(listed):
                    raise CommandError(f"export {query}: {response.status_code}")
                job = ExportJob.objects.filter(owner_id=client.session["_auth_user_id"]).latest(
                    "pk"
                )
                if job.status == "queued":
                    job = export_render(job_id=job.pk)
                if job.status != "done":
                    raise CommandError(f"export {query}: {job.status} {job.error}")
                job.file.delete(save=False)
                return job

            return call

        out = []
        today = timezone.localdate()
        for role, user, params, repeat in (
            ("officer, post+overdue", setup.officer, {w.CHANNEL: "post", w.OVERDUE: "1"}, 5),
            (
                "specialist, procedure+post+due 7 days",
                setup.specialist,
                {
                    w.PROCEDURE: PROVINCIAL[0][0],
                    w.CHANNEL: "post",
                    w.DUE_TO: str(today + dt.timedelta(days=7)),
                },
                5,
            ),
            (
                "leader, procedure+post+received 3 days",
                setup.leader,
                {
                    w.PROCEDURE: provincial,
                    w.CHANNEL: "post",
                    w.RECEIVED_FROM: str(today - dt.timedelta(days=3)),
                },
                5,
            ),
            ("officer, overdue", setup.officer, {w.OVERDUE: "1"}, 2),
        ):
            client = self._client(user)
            query = "&".join(f"{k}={v}" for k, v in params.items())
            rows, _p = self._count(user, params)
            out.append(
                Read(f"export .xlsx {role} ({rows:,} rows)", export(client, query), repeat=repeat)
            )
        return out

    def _count(self, user: User, params: dict) -> tuple[int, dict]:
        from django.http import QueryDict

        from motcua.dossiers.worklist import worklist_queryset

        get = QueryDict(mutable=True)
        get.update(params)
        qs, p = worklist_queryset(user, get, now=timezone.now(), today=timezone.localdate())
        return qs.count(), p

    def measure(self, setup: Setup, *, repeat: int, scan_runs: int) -> list[Result]:
        # The request log stays on, as in production, but writes to /dev/null here.
        with open(os.devnull, "w") as devnull, _log_to(devnull):
            return self._measure(setup, repeat=repeat, scan_runs=scan_runs)

    def _measure(self, setup: Setup, *, repeat: int, scan_runs: int) -> list[Result]:
        results = []
        # Statistics as autovacuum keeps them: a previous run's scan filled the warnings (the
        # pages show each official's), and the counts were just rebuilt.
        with connection.cursor() as cursor:
            for table in ("dossiers_duewarning", "reports_dailycount", "reports_monthlycount"):
                cursor.execute(f"ANALYZE {table}")
        with override_settings(TRACKING_RATE_PER_MINUTE=10**9, TRACKING_CODE_GUESSES=10**9):
            for read in self.reads(setup):
                if getattr(self, "only", None) and not any(o in read.name for o in self.only):
                    continue
                scan = read.repeat == -1
                if scan and not scan_runs:
                    continue
                n = scan_runs if scan else (read.repeat or repeat)
                if not scan:
                    for _ in range(2):  # warm-up: caches, prepared plans, the pages' imports
                        read.call()
                times = []
                slowest: tuple[float, str, object] | None = None
                captured: _Slowest | None = None
                for k in range(n):
                    # The last call of the scan (too long to run once more) is the one whose
                    # queries are captured; the others' are captured by an extra call.
                    capture = scan and k == n - 1
                    with _Slowest(enabled=capture) as s:
                        t0 = time.perf_counter()
                        read.call()
                        times.append((time.perf_counter() - t0) * 1000)
                    if capture:
                        slowest, captured = s.slowest, s
                if not scan:
                    with _Slowest() as s:
                        read.call()
                    slowest, captured = s.slowest, s
                plan = _plan_of(slowest) if slowest else "(no SQL)"
                result = Result(
                    read.name,
                    statistics.median(times),
                    _pct(times, 99),
                    n,
                    plan,
                    slowest_ms=slowest[0] if slowest else 0.0,
                    sql_ms=captured.total_ms if captured else 0.0,
                    statements=captured.count if captured else 0,
                )
                results.append(result)
                self.stderr.write(
                    f"{result.name}: median {result.median_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
                )
        return results

    def report(self, results: list[Result]) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"{'read':42} {'calls':>5} {'median ms':>10} {'p99 ms':>9} {'all SQL':>14} "
            f"{'slowest SQL':>12}  plan"
        )
        for r in results:
            self.stdout.write(
                f"{r.name:42} {r.calls:5} {r.median_ms:10.1f} {r.p99_ms:9.1f} "
                f"{r.sql_ms:7.1f} ms/{r.statements:<3} {r.slowest_ms:7.1f} ms  {r.plan}"
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), pg_size_pretty(pg_database_size(current_database()))")
            version, size = cursor.fetchone()
        self.stdout.write(f"\n{version.split(',')[0]}; database size {size}; {_machine()}")


class _Skip(Exception):
    pass


# Template dossiers are recognised by their applicant's name (a --reuse run finds them again).
TEMPLATE_MARK = "Hồ sơ mẫu"
# Each template's share of the generated rows (procedure weight × status weight), by id.
_WEIGHTS: dict[int, int] = {}


def _machine() -> str:
    import platform

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs ({cpu or platform.machine()}), {memory:.0f} GiB"


@contextmanager
def _log_to(stream):
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    before = [h.setStream(stream) for h in handlers]
    try:
        yield
    finally:
        for h, old in zip(handlers, before, strict=True):
            h.setStream(old)


# -- Decision 766 month ---------------------------------------------------------------------------


def month_counts(month: dt.date):
    """The Decision 766 month of the province, per competent agency.

    SWITCH: when `motcua.reports` (the monthly counts table, built in parallel) is merged, its
    selector is what the province's page calls and what is timed; until then a naive aggregate
    over the dossiers of the month stands in for it."""
    try:
        from motcua.reports.selectors import month_counts as counts
    except ImportError:
        return month_counts_naive(month)
    return counts(month.year, month.month)


def month_counts_naive(month: dt.date) -> list[tuple]:
    """Received, settled on time and late, and still open, per competent agency: one GROUP BY
    over the dossiers received in the month (what a report without a counts table must do)."""
    since = dt.datetime.combine(month, dt.time.min, tzinfo=TZ)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    until = dt.datetime.combine(following, dt.time.min, tzinfo=TZ)
    terminal = sorted(TERMINAL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT competent_agency_id, count(*), "
            "count(*) FILTER (WHERE status IN ('done', 'returned') "
            "AND finished_at <= coalesce(statutory_due_at, due_at)), "
            "count(*) FILTER (WHERE status IN ('done', 'returned') "
            "AND finished_at > coalesce(statutory_due_at, due_at)), "
            "count(*) FILTER (WHERE NOT status = ANY(%s)) "
            "FROM dossiers_dossier WHERE NOT is_sandbox "
            "AND submitted_at >= %s AND submitted_at < %s GROUP BY competent_agency_id",
            [terminal, since, until],
        )
        return cursor.fetchall()


# -- plans -----------------------------------------------------------------------------------------


class _Slowest:
    """Within the block, the slowest SQL statement run on the default connection:
    (milliseconds, sql, params)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.slowest: tuple[float, str, object] | None = None
        self.total_ms = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - t0) * 1000
            self.total_ms += ms
            self.count += 1
            if not many and (self.slowest is None or ms > self.slowest[0]):
                self.slowest = (ms, sql, params)

    def __enter__(self):
        if self.enabled:
            self._wrapper = connection.execute_wrapper(self)
            self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self._wrapper.__exit__(*exc)


_JOINS = {"Nested Loop", "Hash Join", "Merge Join"}
_SCANS = ("Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Seq Scan")


def _label(node: dict) -> str:
    label = node["Node Type"]
    if node.get("Index Name"):
        return f"{label} using {node['Index Name']}"
    if node.get("Relation Name"):
        return f"{label} on {node['Relation Name']}"
    return label


def _walk(node: dict):
    yield node
    for child in node.get("Plans") or []:
        yield from _walk(child)


def _plan_of(slowest: tuple[float, str, object]) -> str:
    """The statement's plan in short: its top nodes down to the first join, then how the
    largest table it reads is reached (the dossiers, for the lists), with the indexes a
    bitmap scan combines."""
    _ms, sql, params = slowest
    if not sql.lstrip().upper().startswith("SELECT"):
        return f"({sql.split()[0]} …)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    root = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    top, node = [], root
    while node is not None and node["Node Type"] not in _JOINS and len(top) < 4:
        top.append(node)
        children = node.get("Plans") or []
        node = max(children, key=lambda c: c.get("Total Cost", 0), default=None)
    scans = [n for n in _walk(root) if n["Node Type"].startswith(_SCANS) and n.get("Relation Name")]
    main = [n for n in scans if n["Relation Name"] == Dossier._meta.db_table] or sorted(
        scans, key=lambda n: n.get("Plan Rows", 0), reverse=True
    )[:1]
    access = []
    for n in main:
        label = _label(n)
        if n["Node Type"] == "Bitmap Heap Scan":
            indexes = [c["Index Name"] for c in _walk(n) if c.get("Index Name")]
            label = f"Bitmap Heap Scan on {n['Relation Name']} ({', '.join(indexes)})"
        access.append(label)
    parts = [_label(n) for n in top if n not in main]
    if node is not None and node not in main:
        parts.append(node["Node Type"] if node["Node Type"] in _JOINS else "…")
    return " → ".join(parts + (["; ".join(access)] if access else []))
