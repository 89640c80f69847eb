"""Benchmark: what the request id and request metrics middlewares add to one request.

    python bench/ops_middleware.py [N]       # N requests (default 200000)

Calls the two middlewares (dms_portal.requestid, monitoring.middleware) around a view that
returns at once, with a request that has resolved to a URL name, and the same view alone; no
database, no server. Prints `requests=N overhead_us=X` (fastest of 5 runs, per request).
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.test")
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from dms_portal.requestid import RequestIdMiddleware
    from monitoring.middleware import RequestMetricsMiddleware

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    request = RequestFactory().get("/healthz")
    request.resolver_match = resolve("/healthz")

    def view(req):
        return HttpResponse()

    wrapped = RequestIdMiddleware(RequestMetricsMiddleware(view))

    def run(handler) -> float:
        start = time.perf_counter()
        for _ in range(n):
            handler(request)
        return time.perf_counter() - start

    # The fastest of 5 runs each: on a shared machine the slower runs measure the neighbours.
    bare = min(run(view) for _ in range(5))
    full = min(run(wrapped) for _ in range(5))
    print(f"requests={n} overhead_us={(full - bare) / n * 1e6:.2f}")


if __name__ == "__main__":
    main()
