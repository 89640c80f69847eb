"""The client's IP address behind a known number of reverse proxies (PROXY_COUNT), for every
app that records or checks it: lockouts, consents, activations, payment notifications."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """With PROXY_COUNT = N, the client is the N-th address from the right of
    X-Forwarded-For: each proxy appends the address it saw, and only the addresses our own
    proxies appended can be trusted (anything further left is whatever the client sent).
    With no proxies configured the header is ignored entirely."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if count <= 0:
        return _valid(remote)
    chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [p for p in chain if p]
    if len(chain) < count:
        return _valid(remote)
    return _valid(chain[-count]) or _valid(remote)


def _valid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]
