"""Production: refuses to start without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and a real
payment provider (PAYMENT_PROVIDER=yookassa with YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY).

Nothing here falls back to a development convenience (the sandbox checkout, the outbox
backends, DEBUG); `manage.py check --deploy` names any that a deployment switches on anyway
(portal/checks.py).
"""

from django.core.exceptions import ImproperlyConfigured

from dms_portal.logs import logging_config

from .base import *  # noqa: F403
from .base import env


def _required(name: str) -> str:
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for production settings")
    return value


for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    _required(_name)

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

# Payments: the sandbox lets anyone mark invoices paid without money, so it is never a default
# here and never accepted.
PAYMENT_PROVIDER = _required("PAYMENT_PROVIDER")
if PAYMENT_PROVIDER == "sandbox":
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=sandbox is the development checkout (no money moves); "
        "production needs PAYMENT_PROVIDER=yookassa"
    )
if PAYMENT_PROVIDER == "yookassa":
    YOOKASSA_SHOP_ID = _required("YOOKASSA_SHOP_ID")
    YOOKASSA_SECRET_KEY = _required("YOOKASSA_SECRET_KEY")
YOOKASSA_CHECK_NOTIFICATION_IP = env.bool("YOOKASSA_CHECK_NOTIFICATION_IP", default=True)

# Account pages from the cache until the next write (dms_portal/pagecache.py); it needs CACHE_URL
# on Redis, and `manage.py check --deploy` says so when the cache is per process.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SMS_BACKEND = env("SMS_BACKEND", default="notifications.backends.HttpSmsGatewayBackend")
EMAIL_CHANNEL_BACKEND = env(
    "EMAIL_CHANNEL_BACKEND", default="notifications.backends.DjangoEmailBackend"
)

# Logs: one JSON object per line on stdout, for the log collector.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(level=env("LOG_LEVEL", default="INFO"), fmt=LOG_FORMAT)
# /metrics: a token, when set, must be worth guessing against (it is compared in constant time,
# but a short one falls to trying).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (or empty)")
