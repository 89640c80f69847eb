"""Counts and times every request for /metrics: a clock read before and after, and two
in-memory counter updates (prometheus_client guards each value with its own mutex held for
one float addition; with PROMETHEUS_MULTIPROC_DIR the value is a memory-mapped file write).
No database, no file locks, no network."""

import time

from django.conf import settings

from .metrics import LATENCY, REQUESTS

METHODS = {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"}


def view_label(request) -> str:
    """The URL name (`invoices:my_invoices`): a small, fixed set, unlike paths with ids in them."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match._func_path
    # WhiteNoise answers static files before URL resolution; anything else is an unknown URL.
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"
    return "unresolved"


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The labelled children, looked up once each: prometheus_client's labels() takes a lock.
        self._requests = {}
        self._latency = {}

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        view = view_label(request)
        method = request.method if request.method in METHODS else "other"
        key = (view, method, response.status_code)
        counter = self._requests.get(key)
        if counter is None:
            counter = self._requests[key] = REQUESTS.labels(view, method, str(key[2]))
        counter.inc()
        histogram = self._latency.get(view)
        if histogram is None:
            histogram = self._latency[view] = LATENCY.labels(view)
        histogram.observe(elapsed)
        return response
