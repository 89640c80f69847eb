"""Tests: the database is SQLite unless DATABASE_URL names PostgreSQL; tasks run inline."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = [
    # Argon2 is the real hasher; tests use a fast one so that hundreds of users stay cheap.
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
# Tests that are about delivery start their own worker and switch this off explicitly.
CELERY_TASK_ALWAYS_EAGER = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
REGISTRY_INBOX_DIR = BASE_DIR / "var" / "test-inbox"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "notifications.backends.OutboxBackend"
EMAIL_CHANNEL_BACKEND = "notifications.backends.OutboxBackend"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
YOOKASSA_CHECK_NOTIFICATION_IP = False
# The whole suite posts notifications from 127.0.0.1; the throttle's own tests lower this.
PAYMENT_NOTIFICATIONS_PER_MINUTE = 10_000
NOTIFICATIONS_ECHO = env.bool("NOTIFICATIONS_ECHO", default=False)
# Account pages come from the page cache in tests too, so that every test that writes and then
# looks again checks its invalidation (dms_portal/pagecache.py); one process, so the
# per-process cache is shared enough.
PAGE_CACHE_SECONDS = 60
PAGE_CACHE_LOCAL_OK = True
