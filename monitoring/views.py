"""/metrics for Prometheus, for the monitoring system only (see dms_portal.settings.base)."""

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dms_portal.net import client_ip

from .metrics import CONTENT_TYPE, render


@cache
def _networks(spec: tuple[str, ...]):
    return tuple(ipaddress.ip_network(net, strict=False) for net in spec)


def metrics_allowed(request) -> bool:
    """A bearer token equal to METRICS_TOKEN (constant-time; an empty setting accepts none),
    or a client address inside METRICS_NETWORKS (loopback and private by default)."""
    token = settings.METRICS_TOKEN
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    offered = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    address = client_ip(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:10.0.0.5 from a dual-stack socket
        ip = ip.ipv4_mapped
    return any(ip in net for net in _networks(tuple(settings.METRICS_NETWORKS)))


@require_GET
@never_cache
def metrics(request):
    if not metrics_allowed(request):
        # The same 404 as any unknown address: nothing says there is something here.
        raise Http404
    return HttpResponse(render(), content_type=CONTENT_TYPE)
