"""Login throttling (issue 11 §5): failures counted per account and per client address on
/dang-nhap/ and /admin/login/, the lockout answered in Vietnamese, every counted failure in the
audit trail, and log-in possible again after the cool-off or an operator's reset."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client

from motcua.accounts.models import User
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-2026"
LOCKED = "Đăng nhập sai quá nhiều lần"


@pytest.fixture
def officials(tree, make_official, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    users = [
        make_official("cv.mot", tree["dept"]),
        make_official("cv.hai", tree["dept_unit"]),
        make_official("padmin", tree["root"], [("province_admin", tree["root"], True)]),
    ]
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(PASSWORD))
    return {u.username: u for u in users}


def login(username: str, password: str, address: str = "203.0.113.1", path: str = "/dang-nhap/"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    return response, client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_an_account_is_locked_after_the_limit_from_any_number_of_addresses(officials):
    statuses = [login("cv.mot", "sai", address=f"203.0.113.{n}")[0].status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # the form again, "wrong password"; then locked
    response, client = login("cv.mot", PASSWORD, address="198.51.100.9")
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "15 phút" in response.content.decode()
    assert not logged_in(client)
    # Another account from those addresses is not affected by the account's lock.
    response, client = login("cv.hai", PASSWORD, address="198.51.100.10")
    assert response.status_code == 302 and logged_in(client)


def test_the_username_counts_whatever_its_case(officials):
    for spelling in ("CV.MOT", "Cv.Mot", " cv.mot"):
        login(spelling, "sai", address="203.0.113.7")
    assert login("cv.mot", PASSWORD, address="198.51.100.9")[0].status_code == 429


def test_an_address_is_locked_after_the_limit_across_accounts(officials):
    for username in ("khong.co", "cv.hai", "ai.do"):
        login(username, "sai", address="203.0.113.50")
    response, client = login("cv.mot", PASSWORD, address="203.0.113.50")
    assert response.status_code == 429 and not logged_in(client)
    response, client = login("cv.mot", PASSWORD, address="203.0.113.51")
    assert response.status_code == 302 and logged_in(client)


def test_behind_the_proxy_addresses_are_the_clients(officials, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    def via_proxy(username, password, client_ip):
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_ip)
        return client.post("/dang-nhap/", {"username": username, "password": password})

    for username in ("a.1", "a.2", "a.3"):
        via_proxy(username, "sai", "203.0.113.60")
    assert via_proxy("cv.mot", PASSWORD, "203.0.113.60").status_code == 429
    # Another citizen behind the same proxy is not locked out with them.
    assert via_proxy("cv.mot", PASSWORD, "203.0.113.61").status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.60"}


def test_the_admin_login_is_throttled_too(officials):
    statuses = [login("padmin", "sai", path="/admin/login/")[0].status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response, client = login("padmin", PASSWORD, address="198.51.100.1", path="/admin/login/")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not logged_in(client)


def test_failures_are_audited_not_the_refusals_after_the_lock(officials, tree):
    for n in range(5):
        login("cv.mot", "sai", address=f"203.0.113.{n}")
    login("khong.co", "sai", address="203.0.113.99")
    entries = AuditEntry.objects.filter(action="auth.login_failed").order_by("pk")
    known = [e for e in entries if e.object_repr == "cv.mot"]
    assert len(known) == 3  # the 4th and 5th were refused by the lock, not counted
    assert [e.after["failures"] for e in known] == [1, 2, 3]
    assert [e.after["locked_out"] for e in known] == [False, False, True]
    first = known[0]
    assert first.object_id == str(officials["cv.mot"].pk)
    assert first.agency == tree["dept"]  # read by that province's administrators
    assert first.actor is None and first.actor_label == "203.0.113.0"
    assert first.after["client_address"] == "203.0.113.0"
    assert first.after["path"] == "/dang-nhap/"
    unknown = entries.get(object_repr="khong.co")
    assert unknown.object_id == "" and unknown.agency is None
    assert "sai" not in str(first.after)  # never the password


def test_log_in_again_after_the_cool_off(officials):
    for n in range(3):
        login("cv.mot", "sai", address=f"203.0.113.{n}")
    assert login("cv.mot", PASSWORD)[0].status_code == 429
    # Sixteen minutes later (the counted failures' time moved back).
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    response, client = login("cv.mot", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_log_in_again_after_an_operators_reset(officials):
    for n in range(3):
        login("cv.mot", "sai", address=f"203.0.113.{n}")
    assert login("cv.mot", PASSWORD)[0].status_code == 429
    call_command("axes_reset_username", "cv.mot")
    response, client = login("cv.mot", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_success_clears_the_failures_before_the_limit(officials):
    login("cv.mot", "sai")
    login("cv.mot", "sai")
    assert login("cv.mot", PASSWORD)[0].status_code == 302
    login("cv.mot", "sai")
    login("cv.mot", "sai")
    assert login("cv.mot", PASSWORD)[0].status_code == 302
