"""The tracking rate limit: a one-minute window per client address, in the shared cache."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from motcua.portal.tracking import tracking_allowed


@pytest.fixture
def request_from():
    cache.clear()
    yield lambda address: RequestFactory().post("/api/v1/tracking", REMOTE_ADDR=address)
    cache.clear()


def test_each_address_gets_its_own_window_that_ends_after_a_minute(request_from, settings):
    settings.TRACKING_RATE_PER_MINUTE = 2
    one, other = request_from("10.0.0.1"), request_from("10.0.0.2")
    assert [tracking_allowed(one) for _ in range(3)] == [True, True, False]
    assert tracking_allowed(other)
    later = time.time() + 61
    with mock.patch("time.time", return_value=later):
        assert [tracking_allowed(one) for _ in range(3)] == [True, True, False]


def test_a_counter_left_without_expiry_gets_one(request_from, settings):
    """Redis' INCR recreates a key that expired between Django's EXISTS and INCR without an
    expiry; the limiter gives it one, or the address would stay counted for good."""
    settings.TRACKING_RATE_PER_MINUTE = 1
    client = request_from("10.0.0.3")
    cache.set("tracking-rate:10.0.0.3", 0, timeout=None)
    assert tracking_allowed(client)
    assert not tracking_allowed(client)
    with mock.patch("time.time", return_value=time.time() + 61):
        assert tracking_allowed(client)


def behind_proxy(client: str, proxy: str = "10.0.0.9", forwarded: str = ""):
    chain = f"{forwarded}, {client}" if forwarded else client
    return RequestFactory().post("/api/v1/tracking", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=chain)


def test_behind_a_trusted_proxy_each_citizen_has_a_window(request_from, settings):
    """Behind the documented nginx every request comes from the proxy: with the proxy in
    TRUSTED_PROXIES the window is the citizen's, not everyone's."""
    settings.TRACKING_RATE_PER_MINUTE = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]
    first, second = behind_proxy("203.0.113.1"), behind_proxy("198.51.100.2")
    assert [tracking_allowed(first) for _ in range(3)] == [True, True, False]
    assert [tracking_allowed(second) for _ in range(3)] == [True, True, False]


def test_a_client_cannot_pick_its_window_with_a_forged_header(request_from, settings):
    settings.TRACKING_RATE_PER_MINUTE = 2
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # Through the proxy: what the client wrote is to the left of what nginx appended.
    forged = [behind_proxy("203.0.113.1", forwarded=f"192.0.2.{n}") for n in range(3)]
    assert [tracking_allowed(r) for r in forged] == [True, True, False]
    # Straight to the app server (not a trusted peer): the header is ignored.
    direct = [
        RequestFactory().post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        for n in range(3)
    ]
    assert [tracking_allowed(r) for r in direct] == [True, True, False]
