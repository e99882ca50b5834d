"""Benchmark catalog search over 10,000 procedures: median and p99 query time.

    DATABASE_URL=postgres://… python manage.py bench_catalog_search [--procedures 10000]

It fills the (empty) benchmark database with the national catalog's 5,670 real procedure names,
then variants of them up to --procedures, marks them published, and times the search the
citizen pages use (`procedure_search`, first page of 20) for a fixed, seeded set of queries:
folded words from real names, phrases, codes and code prefixes. The rows are bulk-inserted:
the benchmark measures reading, not the publishing services.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from motcua.catalog.models import Field, Procedure
from motcua.catalog.selectors import procedure_search
from motcua.core.textnorm import fold
from motcua.simulators.national_portal.records import DATA_DIR

VARIANTS = [
    "(trường hợp cá nhân)",
    "(trường hợp tổ chức)",
    "đối với người nước ngoài",
    "tại cấp xã",
    "thực hiện trực tuyến",
]


class Command(BaseCommand):
    help = "Time catalog search (median, p99) over N procedures on the configured database."

    def add_arguments(self, parser):
        parser.add_argument("--procedures", type=int, default=10_000)
        parser.add_argument("--queries", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=766)
        parser.add_argument(
            "--keep", action="store_true", help="Keep existing rows (refuse by default)."
        )

    def handle(self, *args, procedures: int, queries: int, seed: int, keep: bool, **options):
        if Procedure.objects.exists() and not keep:
            raise CommandError("The database already has procedures; use an empty benchmark DB.")
        rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
        rows = self.load_rows()
        started = time.perf_counter()
        if not Procedure.objects.exists():
            self.fill(rows, procedures)
        self.stdout.write(
            f"filled {Procedure.objects.count()} procedures in "
            f"{time.perf_counter() - started:.1f} s on {connection.vendor}"
        )
        workload = self.workload(rows, rng, queries)
        for query in workload[:50]:  # warm caches and connections
            list(procedure_search(query=query)[:20])
        timings = []
        hits = 0
        for query in workload:
            t0 = time.perf_counter()
            found = list(procedure_search(query=query)[:20])
            timings.append((time.perf_counter() - t0) * 1000)
            hits += bool(found)
        timings.sort()
        p99 = timings[int(len(timings) * 0.99) - 1]
        self.stdout.write(
            f"catalog search: {len(timings)} queries, {hits} with results; "
            f"median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms, "
            f"max {timings[-1]:.2f} ms"
        )

    def load_rows(self) -> list[dict]:
        with gzip.open(DATA_DIR / "catalog.jsonl.gz", "rt", encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]

    @transaction.atomic
    def fill(self, rows: list[dict], total: int) -> None:
        fields: dict[str, Field] = {}
        for row in rows:
            name = (row.get("categories") or ["Khác"])[0]
            if name not in fields:
                fields[name] = Field(code=f"B{len(fields):04d}", name=name, name_folded=fold(name))
        Field.objects.bulk_create(fields.values())
        fields = {f.name: f for f in Field.objects.all()}
        batch, codes = [], set()
        for i in range(total):
            row = rows[i % len(rows)]
            round_ = i // len(rows)
            name = row["name"] if round_ == 0 else f"{row['name']} {VARIANTS[round_ % 5]}"
            code = row["code"] if round_ == 0 else f"{row['code']}.B{round_:02d}"
            if code in codes:
                continue
            codes.add(code)
            batch.append(
                Procedure(
                    code=code,
                    name=name,
                    name_folded=fold(name),
                    field=fields[(row.get("categories") or ["Khác"])[0]],
                    level="commune",
                    online_level="partial",
                    is_published=True,
                )
            )
        Procedure.objects.bulk_create(batch, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE catalog_procedure")

    def workload(self, rows: list[dict], rng: random.Random, count: int) -> list[str]:
        queries = []
        for _ in range(count):
            row = rng.choice(rows)
            words = fold(row["name"]).split()
            kind = rng.random()
            if kind < 0.1:
                queries.append(row["code"])
            elif kind < 0.15:
                queries.append(row["code"][:5])
            elif kind < 0.55:
                start = rng.randrange(max(1, len(words) - 3))
                queries.append(" ".join(words[start : start + rng.randint(2, 4)]))
            elif kind < 0.85:
                queries.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
            else:
                queries.append(row["name"][: rng.randint(8, 30)])  # typed with diacritics
        return queries
