"""Creating requests are safe to repeat: the API's Idempotency-Key and the desk form's one-time
token (issue 11 §5: the same submission sent twice made two dossiers)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier

from .test_pages import Page, form_data

pytestmark = pytest.mark.django_db


def _payload(world, **changes):
    t = world.tree
    data = {
        "procedure": world.birth.code,
        "applicant": {
            "kind": "citizen",
            "name": "Trần Văn Bình",
            "id_number": "087190009999",
            "commune": t["commune"].commune_id,
        },
        "components": [{"name": "Tờ khai", "originals": 1}],
        "channel": "direct",
        "desk": t["osu"].pk,
    }
    data.update(changes)
    return data


def test_the_same_key_creates_one_dossier_and_replays_the_answer(world):
    client = Client()
    client.force_login(world["commune_officer"])

    def send(body, key="k-1"):
        return client.post(
            "/api/v1/dossiers",
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": key},
        )

    first = send(_payload(world))
    assert first.status_code == 201, first.content
    again = send(_payload(world))
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["code"] == first.json()["code"]
    assert Dossier.objects.count() == 1
    # The same key for another body is refused; nothing is created.
    other = send(_payload(world, summary="khác"))
    assert other.status_code == 422 and other.json()["code"] == "idempotency_mismatch"
    assert Dossier.objects.count() == 1
    # Keys belong to an account: another desk officer's "k-1" is their own.
    other_desk = Client()
    other_desk.force_login(world["desk_officer"])
    theirs = other_desk.post(
        "/api/v1/dossiers",
        json.dumps(_payload(world, desk=world.tree["desk"].pk)),
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Dossier.objects.count() == 2
    # Without a key each request is its own.
    plain = client.post(
        "/api/v1/dossiers", json.dumps(_payload(world)), content_type="application/json"
    )
    assert plain.status_code == 201 and Dossier.objects.count() == 3


def test_the_desk_form_sent_twice_registers_one_dossier(world):
    client = Client()
    client.force_login(world["commune_officer"])
    page = Page(client.get("/ho-so/tiep-nhan/", {"thu_tuc": world.birth.code}))
    data = form_data(page, "form.receive-form")
    assert re.fullmatch(r"[0-9a-f]{32}", data["_once"])
    data.update(
        applicant_name="Lê Thị Hoa",
        applicant_id_number="087190001111",
        applicant_commune=str(world.tree["commune"].commune_id),
        save="1",
    )
    first = client.post("/ho-so/tiep-nhan/", data)
    assert first.status_code == 302, Page(first).text
    # A double click, a reload after a slow answer: the same dossier, not a second one.
    second = client.post("/ho-so/tiep-nhan/", data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    # A new form carries a new token.
    again = form_data(
        Page(client.get("/ho-so/tiep-nhan/", {"thu_tuc": world.birth.code})), "form.receive-form"
    )
    assert again["_once"] != data["_once"]
