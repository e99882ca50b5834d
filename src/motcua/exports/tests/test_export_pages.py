"""The officials' pages: the tracking book's form, a job's progress (polled, or refreshing
itself without JavaScript), the download; refused to whoever receives nowhere or is not the
owner."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.accounts.tests.factories import OfficialFactory
from motcua.exports.models import ExportJob

pytestmark = pytest.mark.django_db

PAGE = "/xuat-tep/so-theo-doi/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(world, **overrides) -> dict:
    return {
        "desk": world.tree["osu"].pk,
        "start": "2026-03-01",
        "end": "2026-03-31",
        "format": "xlsx",
        **overrides,
    }


def test_the_form_lists_the_desks_one_receives_at(world):
    page = client_for(world["commune_officer"]).get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sổ theo dõi hồ sơ" in html and world.tree["osu"].name in html
    assert world.tree["commune2"].name not in html


def test_refused_to_an_official_who_receives_nowhere(world, superuser):
    specialist = world["commune_specialist"]
    assert client_for(specialist).get(PAGE).status_code == 403
    assert client_for(specialist).post(PAGE, form(world)).status_code == 403
    assert not ExportJob.objects.exists()
    assert Client().get(PAGE).status_code == 302  # to the login page


def test_a_desk_outside_ones_grants_is_not_accepted(world):
    # The provincial centre's desk officer receives elsewhere, not at the commune's unit.
    assert client_for(world["desk_officer"]).get(PAGE).status_code == 200
    response = client_for(world["desk_officer"]).post(PAGE, form(world, desk=world.tree["osu"].pk))
    assert response.status_code == 422
    assert not ExportJob.objects.exists()


def test_a_bad_period_shows_the_services_message(world):
    response = client_for(world["commune_officer"]).post(PAGE, form(world, end="2026-07-01"))
    assert response.status_code == 422
    assert "Chọn khoảng thời gian tối đa ba tháng." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_request_then_progress_then_download(world, three, django_capture_on_commit_callbacks):
    client = client_for(world["commune_officer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(PAGE, form(world))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/xuat-tep/{job.pk}/"

    waiting = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in waiting and 'hx-swap="outerHTML"' in waiting
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in waiting
    assert "motcua/poll.js" in waiting
    assert "/tai-ve/" not in waiting

    for callback in callbacks:
        callback()  # the commit sends the task (run in-process here)
    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.startswith('<div id="export-status"') and "<html" not in html
    assert "hx-trigger" not in html  # polling stops
    assert f"/xuat-tep/{job.pk}/tai-ve/" in html

    download = client.get(f"/xuat-tep/{job.pk}/tai-ve/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")  # an .xlsx is a zip
    listing = client.get(PAGE).content.decode()
    assert f"/xuat-tep/{job.pk}/" in listing


def test_another_official_gets_404(world, three, superuser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["commune_officer"]).post(PAGE, form(world))
    job = ExportJob.objects.get()
    colleague = OfficialFactory(
        actor=superuser,
        username="tn.xa.b",
        agency=world.tree["osu"],
        grants=[("receiving_officer", world.tree["osu"])],
    )
    other = client_for(colleague)
    assert other.get(f"/xuat-tep/{job.pk}/").status_code == 404
    assert other.get(f"/xuat-tep/{job.pk}/tai-ve/").status_code == 404


def test_the_header_links_the_page_for_those_who_receive(world):
    assert f'href="{PAGE}"' in client_for(world["commune_officer"]).get(PAGE).content.decode()
    home = client_for(world["commune_specialist"]).get("/").content.decode()
    assert f'href="{PAGE}"' not in home
