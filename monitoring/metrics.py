"""The Prometheus metrics of /metrics.

Two kinds, for two reasons:

- Per request (counted in the web process by monitoring.middleware): requests by view, method
  and status, and their latency. With gunicorn's several worker processes each keeps its own
  counts; set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py clears it at start and forgets dead
  workers) and every worker writes them to a memory-mapped file there, and /metrics adds them
  up, whichever worker answers the scrape.
- From the database, computed while the scrape runs (gauges and DB-kept counters): payments
  and messages by status, the oldest stuck ones, beat's last heartbeat, task outcomes on the
  workers. They describe work done by other processes and containers, which a per-process
  counter could not see, and they are right after any restart. Each is one small indexed query:
  counts by status cover the last 24 hours (bounded by the created_at indexes), unsettled
  messages and pending payments are few at any time.
"""

import datetime as dt
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from dms_portal import clock

REQUESTS = Counter(
    "dms_http_requests",
    "HTTP requests by view (URL name), method and status",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "dms_http_request_duration_seconds",
    "Time from the first middleware to the response, by view",
    ["view"],
    # 150 ms is SPEC §5's p95 bar.
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
INLINE_TASKS = Counter(
    "dms_celery_tasks_inline",
    "Celery tasks run inline (eager) in this process, by task and outcome",
    ["task", "outcome"],
)
WINDOW = dt.timedelta(hours=24)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class DatabaseCollector:
    """Reads the database at scrape time (see the module docstring)."""

    def collect(self):
        # Function-level imports: the selectors' apps load models, which must wait for
        # django.setup(), while this module is imported by the middleware at start-up.
        from notifications.selectors import (
            message_counts_since,
            message_due_oldest,
            message_open_counts,
        )
        from payments.selectors import payment_counts_since, payment_pending_oldest

        from .selectors import heartbeat_at, task_outcome_counts

        now = clock.now()
        since = now - WINDOW

        payments = GaugeMetricFamily(
            "dms_payments_last_24h",
            "Payments created in the last 24 hours, by status",
            labels=["status"],
        )
        for status, n in sorted(payment_counts_since(since).items()):
            payments.add_metric([status], n)
        yield payments
        yield _age(
            "dms_payments_pending_oldest_age_seconds",
            "Age of the oldest pending payment (0: none)",
            payment_pending_oldest(),
            now,
        )

        messages = GaugeMetricFamily(
            "dms_messages_last_24h",
            "Messages created in the last 24 hours, by channel and status",
            labels=["channel", "status"],
        )
        for (channel, status), n in sorted(message_counts_since(since).items()):
            messages.add_metric([channel, status], n)
        yield messages
        unsettled = GaugeMetricFamily(
            "dms_messages_open",
            "Unsettled messages of any age (queued, sending, unknown), by channel and status",
            labels=["channel", "status"],
        )
        for (channel, status), n in sorted(message_open_counts().items()):
            unsettled.add_metric([channel, status], n)
        yield unsettled
        yield _age(
            "dms_messages_due_oldest_age_seconds",
            "Age of the oldest queued message that is due now (0: none)",
            message_due_oldest(now),
            now,
        )

        beat = heartbeat_at()
        if beat is not None:  # absent until beat first runs: alert on absent() too
            yield GaugeMetricFamily(
                "dms_beat_heartbeat_age_seconds",
                "Seconds since the beat-scheduled heartbeat task last ran on a worker",
                value=max(0.0, (now - beat).total_seconds()),
            )

        tasks = CounterMetricFamily(
            "dms_celery_tasks",
            "Celery tasks finished on workers, by task and outcome (kept in the database)",
            labels=["task", "outcome"],
        )
        for (task, outcome), n in sorted(task_outcome_counts().items()):
            tasks.add_metric([task, outcome], n)
        yield tasks


def _age(name: str, documentation: str, since, now) -> GaugeMetricFamily:
    age = max(0.0, (now - since).total_seconds()) if since is not None else 0.0
    return GaugeMetricFamily(name, documentation, value=age)


_DATABASE = CollectorRegistry(auto_describe=False)
_DATABASE.register(DatabaseCollector())


def render() -> bytes:
    """The exposition text: this process's (or all gunicorn workers') request metrics, then the
    database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_DATABASE)
