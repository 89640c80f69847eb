"""The Celery application.

With no CELERY_BROKER_URL the settings make tasks run inline (eager), which is what `make run`
uses; with a Redis URL, workers and one beat process do the scheduled work.
"""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.dev")

app = Celery("dms_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(dispatch_uid="dms_portal.celery.logging")
def _use_django_logging(**kwargs):
    """Workers and beat log exactly as the web does (settings.LOGGING: JSON in production, the
    request and task ids on every line) instead of Celery's own handlers and format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Task logs carry the id of the request that queued them (signal handlers connect on import).
import dms_portal.requestid  # noqa: E402, F401
