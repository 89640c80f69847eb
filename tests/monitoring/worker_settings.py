"""The delivery tests' worker settings, plus the probe task and JSON logs."""

from tests.notifications.worker_settings import *  # noqa: F403

CELERY_IMPORTS = ("tests.monitoring.probe_tasks",)
LOGGING = logging_config(level="INFO", fmt="json")  # noqa: F405
