"""The address of the client of a request, for the login lockout and the API throttles.

X-Forwarded-For is anyone's to write: it is believed only when the peer (REMOTE_ADDR) is one of
settings.TRUSTED_PROXIES (IPs or CIDR networks; empty: no proxy is trusted). Then the client is
the right-most entry that is not itself a trusted proxy: each trusted proxy appends the address
it saw, and everything to the left of that came from the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request) -> str:
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxy_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _is_trusted(peer, proxies):
        return peer
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    client = peer
    for entry in reversed(forwarded):
        address = _address(entry)
        if address is None:
            # Not an address: a trusted proxy would not have written it, so it came from the
            # client; the last address a trusted proxy vouched for stands.
            return client
        client = address
        if not _is_trusted(address, proxies):
            return address
    return client


def peer_is_trusted_proxy(request) -> bool:
    """Whether the direct peer (REMOTE_ADDR) is one of settings.TRUSTED_PROXIES."""
    proxies = trusted_proxy_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return _is_trusted(request.META.get("REMOTE_ADDR", ""), proxies)


@lru_cache(maxsize=8)
def trusted_proxy_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # Malformed entries never get here: the settings refuse to start with one.
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _is_trusted(text: str, proxies: tuple[Network, ...]) -> bool:
    if not proxies:
        return False
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in proxies)
