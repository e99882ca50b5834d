"""The client's address behind trusted proxies only (core.proxies)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from motcua.core.proxies import client_address


def request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1", "2001:db8:ffff::/48"]


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # nginx appended the address it saw.
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        # Two proxies: the load balancer, then nginx.
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", "203.0.113.9"),
        # Whatever the client wrote before comes to the left, and is not believed.
        ("10.0.0.5", "1.2.3.4, 5.6.7.8, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "spoofed, 203.0.113.9", "203.0.113.9"),
        # Ports and brackets, IPv6, IPv4 written as IPv6.
        ("10.0.0.5", "203.0.113.9:51234", "203.0.113.9"),
        ("10.0.0.5", "[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8:ffff::2", "2001:db8::1", "2001:db8::1"),
        ("::ffff:10.0.0.5", "203.0.113.9", "203.0.113.9"),
        # No header, or an unusable right-most hop: the proxy itself.
        ("10.0.0.5", None, "10.0.0.5"),
        ("10.0.0.5", "203.0.113.9, garbage", "10.0.0.5"),
        # Every hop trusted: the left-most.
        ("10.0.0.5", "10.0.0.8, 10.0.0.7", "10.0.0.8"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_hop(proxies, remote, forwarded, client):
    assert client_address(request(remote, forwarded)) == client


def test_a_direct_client_cannot_claim_another_address(proxies):
    assert client_address(request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_a_bad_trusted_proxies_value_stops_start_up(settings):
    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.0/8,nginx"}
    result = subprocess.run(
        [sys.executable, "-c", "import motcua.settings"],
        env={**env, "PYTHONPATH": str(settings.BASE_DIR / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'nginx' is not an IP address or network" in result.stderr
