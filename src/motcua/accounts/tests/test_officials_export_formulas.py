"""The officials export (.xlsx and .csv, admin page and API) never carries a live formula, and
the importer reads the quoted cells back as they were typed (issue 11 §5)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from motcua.accounts.importing import read_rows
from motcua.accounts.services import official_create

pytestmark = pytest.mark.django_db

ATTACK = '=HYPERLINK("http://x","click")'
POSITION = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def padmin(tree, make_official):
    return make_official("padmin", tree["root"], [("province_admin", tree["root"], True)])


@pytest.fixture
def tainted(tree, padmin):
    return official_create(
        actor=padmin, username="cv.x", full_name=ATTACK, agency=tree["dept"], position=POSITION
    )


def rows_of(fmt: str, content: bytes) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet and b"<f " not in sheet
    book = load_workbook(io.BytesIO(content))
    return [[c.value for c in row] for row in book.active.iter_rows()]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("entry", ["admin", "api"])
def test_export_quotes_formulas(client, padmin, tainted, fmt, entry):
    client.force_login(padmin)
    url = (
        f"/admin/accounts/user/export.{fmt}"
        if entry == "admin"
        else f"/api/v1/officials/export?fmt={fmt}"
    )
    response = client.get(url)
    assert response.status_code == 200
    (row,) = [r for r in rows_of(fmt, response.content) if r[0] == "cv.x"]
    assert row[1] == "'" + ATTACK
    assert row[5] == "'" + POSITION
    for cell in (c for r in rows_of(fmt, response.content) for c in r):
        assert not (isinstance(cell, str) and cell.startswith(("=", "+", "-", "@"))), cell

    # Read back by the importer, the cells are what was typed.
    (read,) = [values for _n, values in read_rows(f"can-bo.{fmt}", response.content)
               if values["username"] == "cv.x"]  # fmt: skip
    assert (read["full_name"], read["position"]) == (ATTACK, POSITION)
