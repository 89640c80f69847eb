"""Development: what `make run` uses (SQLite, inline tasks, sandbox payments, outbox)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
YOOKASSA_CHECK_NOTIFICATION_IP = env.bool("YOOKASSA_CHECK_NOTIFICATION_IP", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
