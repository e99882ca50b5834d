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
