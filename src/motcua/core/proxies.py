"""The client's address behind the documented reverse proxy (docs/operations.md, "Proxy").

REMOTE_ADDR is the direct peer: behind nginx, always the proxy, so every citizen would share
one rate-limit bucket. X-Forwarded-For is believed only when that peer is one of
`settings.TRUSTED_PROXIES` (addresses or networks), and then read from the right: each trusted
proxy appended the address it received the request from, so the right-most address that is not
a trusted proxy is the client. Anything to its left was written by the client and is ignored.
A direct request (peer not trusted) is its peer, whatever headers it sends.

One helper for every place that needs the client: tracking rate limits, login throttling
(django-axes, `AXES_CLIENT_IP_CALLABLE`), request logs.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """ "10.0.0.0/8", "127.0.0.1", "::1" → networks; ValueError on anything else."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(address: Address | None) -> bool:
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the right-most untrusted X-Forwarded-For hop when the peer is a
    trusted proxy, otherwise REMOTE_ADDR. Always a normalized address, or "" if unknown."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ""
    if not is_trusted_proxy(peer):
        return str(peer)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A hop no trusted proxy would write: stop at the last address we can vouch for.
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
