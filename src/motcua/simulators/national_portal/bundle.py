"""Rebuild the simulator's bundled data from a crawl of the national portal.

    PYTHONPATH=src python -m motcua.simulators.national_portal.bundle /path/to/national-catalog

The crawl folder holds catalog.jsonl, provinces.json and details/<code>.json (the layout of
/work/shared/data/national-catalog). The records are copied verbatim, only minified and
gzipped, so the repository carries them (CI runs on a fresh clone) in about 1.5 MB.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _dump(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def bundle(source: Path, target: Path = DATA_DIR) -> dict[str, int]:
    """Write catalog.jsonl.gz, details.jsonl.gz and provinces.json; return the counts."""
    target.mkdir(parents=True, exist_ok=True)
    catalog = [
        json.loads(line)
        for line in (source / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    # mtime=0 keeps the archives byte-identical between runs, so a rebuild shows no diff.
    with (
        open(target / "catalog.jsonl.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out,
    ):
        out.write("".join(_dump(row) + "\n" for row in catalog).encode("utf-8"))

    details = sorted((source / "details").glob("*.json"))
    with (
        open(target / "details.jsonl.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out,
    ):
        for path in details:
            out.write((_dump(json.loads(path.read_text(encoding="utf-8"))) + "\n").encode())

    provinces = json.loads((source / "provinces.json").read_text(encoding="utf-8"))
    (target / "provinces.json").write_text(
        json.dumps(provinces, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {
        "catalog": len(catalog),
        "details": len(details),
        "provinces": len(provinces["data"]["rows"]),
    }


if __name__ == "__main__":
    print(bundle(Path(sys.argv[1])))
