"""The Celery application.

With no CELERY_BROKER_URL the settings make tasks run inline (eager), which is what `make run`
uses; with a Redis URL, workers and one beat process do the scheduled work.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.dev")

app = Celery("dms_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
