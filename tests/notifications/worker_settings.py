"""Settings of the real Celery worker that delivery tests start (tests/notifications/worker.py).

The test settings plus: tasks really go through the broker, a per-test queue, and knobs the
tests turn through the environment (backends, short visibility timeout, stale-claim age).
"""

import os

from dms_portal.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("TEST_CELERY_QUEUE", "celery")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A killed worker's unacked task comes back after this many seconds (4 h in production).
    "visibility_timeout": float(os.environ.get("TEST_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
SMS_BACKEND = os.environ.get("SMS_BACKEND", "notifications.backends.OutboxBackend")
EMAIL_CHANNEL_BACKEND = os.environ.get(
    "EMAIL_CHANNEL_BACKEND", "notifications.backends.OutboxBackend"
)
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
NOTIFICATIONS_SENDING_STALE_SECONDS = float(os.environ.get("NOTIFICATIONS_STALE", "900"))
NOTIFICATIONS_RETRY_BACKOFF = int(os.environ.get("NOTIFICATIONS_RETRY_BACKOFF", "30"))
# Real time runs in the worker: the tests switch quiet hours off on both sides.
NOTIFICATIONS_QUIET_HOURS = (0, 0)
