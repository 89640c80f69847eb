"""`manage.py check --deploy`: development conveniences that must not reach production.

Production settings already refuse the sandbox and force DEBUG off; this check catches a
settings module or environment that switches one back on (a custom settings file importing
production, an SMS_BACKEND copied from a developer's .env, …) and says why it matters.
"""

from django.conf import settings
from django.core import checks

from dms_portal import pagecache

OUTBOX = "notifications.backends.OutboxBackend"


@checks.register(checks.Tags.security, deploy=True)
def production_conveniences(app_configs, **kwargs) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if settings.PAYMENT_PROVIDER == "sandbox":
        problems.append(
            checks.Error(
                "PAYMENT_PROVIDER is 'sandbox': anyone can mark invoices paid without money "
                "on the portal's own checkout page.",
                hint="Set PAYMENT_PROVIDER=yookassa with YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY.",
                id="portal.E001",
            )
        )
    for name in ("SMS_BACKEND", "EMAIL_CHANNEL_BACKEND"):
        if getattr(settings, name, "") == OUTBOX:
            problems.append(
                checks.Error(
                    f"{name} is the development outbox: messages (and their one-time codes) "
                    "are stored in the database instead of being delivered.",
                    hint="Use notifications.backends.HttpSmsGatewayBackend for SMS_BACKEND and "
                    "notifications.backends.DjangoEmailBackend for EMAIL_CHANNEL_BACKEND.",
                    id="portal.E002",
                )
            )
    if settings.DEBUG:
        problems.append(
            checks.Error(
                "DEBUG is on: error pages show settings, SQL and personal data.",
                hint="Use DJANGO_SETTINGS_MODULE=dms_portal.settings.production (DEBUG off).",
                id="portal.E003",
            )
        )
    if settings.PAYMENT_PROVIDER == "yookassa" and not settings.YOOKASSA_CHECK_NOTIFICATION_IP:
        problems.append(
            checks.Warning(
                "YOOKASSA_CHECK_NOTIFICATION_IP is off: payment notifications are accepted "
                "from any address.",
                hint="Leave it on (the default) unless a proxy re-checks the sender.",
                id="portal.W001",
            )
        )
    if settings.PAGE_CACHE_SECONDS > 0 and not pagecache.enabled():
        problems.append(
            checks.Warning(
                "PAGE_CACHE_SECONDS is set but the cache is per process: account pages are "
                "rendered every time (a page kept by one process would not learn of a write "
                "made by another).",
                hint="Set CACHE_URL to Redis (redis://host:6379/1), as docker-compose.yml does.",
                id="portal.W002",
            )
        )
    return problems
