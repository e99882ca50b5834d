"""The bundled national-portal records, loaded once per process and queried like the portal.

Loading is lazy (the first request pays ~1 s to unpack 12 MB of JSON) and cached for the life of
the process, so importing the app costs nothing when the simulator is not used.
"""

from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from motcua.core.textnorm import fold

DATA_DIR = Path(__file__).resolve().parent / "data"

# The portal has been seen failing on pages of 200 (crawlers fall back to 100, 50, 20), so no
# caller can rely on more. UNCONFIRMED: the real upper bound, and whether it clamps or refuses.
MAX_PAGE_LIMIT = 200


@dataclass(frozen=True)
class CatalogRow:
    row: dict[str, Any]
    folded: str  # name and code, folded, for the keyword search


@dataclass(frozen=True)
class CatalogPage:
    items: list[dict[str, Any]]
    total: int
    last_id: str


@functools.cache
def _catalog() -> tuple[CatalogRow, ...]:
    with gzip.open(DATA_DIR / "catalog.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return tuple(
        CatalogRow(row, fold(f"{row.get('code', '')} {row.get('name', '')}")) for row in rows
    )


@functools.cache
def _details() -> tuple[dict[str, bytes], dict[str, str]]:
    """Raw response bodies by formality id, and formality id by procedure code.

    The bodies stay as bytes: the endpoint answers them verbatim, and 502 parsed records would
    hold several times their size in memory.
    """
    by_id: dict[str, bytes] = {}
    id_by_code: dict[str, str] = {}
    with gzip.open(DATA_DIR / "details.jsonl.gz", "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            data = json.loads(line)["data"]
            by_id[data["id"]] = line.rstrip(b"\n")
            id_by_code[data["code"]] = data["id"]
    return by_id, id_by_code


@functools.cache
def _provinces() -> dict[str, Any]:
    return json.loads((DATA_DIR / "provinces.json").read_text(encoding="utf-8"))


def catalog_rows() -> list[dict[str, Any]]:
    """Every catalog row (5,670), in the portal's order."""
    return [entry.row for entry in _catalog()]


def catalog_page(
    *, limit: int, last_id: str = "", q: str = "", category_id: str = ""
) -> CatalogPage:
    """One page of the catalog after the cursor `last_id`, in the portal's order (id descending).

    `total` counts every row that matches the filters, not just this page.
    """
    needle = fold(q)
    matching = [
        entry.row
        for entry in _catalog()
        if (not needle or needle in entry.folded)
        and (not category_id or category_id in (entry.row.get("categoryIds") or []))
    ]
    # Ids are UUIDv7 and the portal lists newest first, so "after the cursor" is "smaller id".
    after = [row for row in matching if row["id"] < last_id] if last_id else matching
    items = after[: max(1, min(limit, MAX_PAGE_LIMIT))]
    return CatalogPage(items=items, total=len(matching), last_id=items[-1]["id"] if items else "")


def detail_body(formality_id: str) -> bytes | None:
    """The portal's response body for one procedure, byte for byte as captured, or None."""
    return _details()[0].get(formality_id)


def detail_id_for_code(code: str) -> str | None:
    return _details()[1].get(code)


def detail_codes() -> list[str]:
    """Codes of the procedures whose full record is bundled (502), sorted."""
    return sorted(_details()[1])


def detail_record(code: str) -> dict[str, Any] | None:
    """The parsed response ({"code", "message", "data"}) for a procedure code, or None."""
    formality_id = detail_id_for_code(code)
    return json.loads(_details()[0][formality_id]) if formality_id else None


def catalog_has_id(formality_id: str) -> bool:
    return any(entry.row["id"] == formality_id for entry in _catalog())


def provinces_page(*, limit: int, last_id: str = "") -> dict[str, Any]:
    """The province list's response. Its cursor is the province code (rows are sorted by it)."""
    body = _provinces()
    rows = [row for row in body["data"]["rows"] if not last_id or row["code"] > last_id]
    rows = rows[: max(1, min(limit, MAX_PAGE_LIMIT))]
    data = {"rows": rows, "count": len(rows), "lastId": rows[-1]["code"] if rows else ""}
    return {"code": body["code"], "message": body["message"], "data": data}
