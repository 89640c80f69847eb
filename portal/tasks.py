"""Beat entry point (settings.CELERY_BEAT_SCHEDULE); `manage.py digest_send` runs the same."""

from celery import shared_task

from .digest import digest_send


@shared_task(acks_late=True)
def monthly_digest() -> dict:
    """The previous month's digest; safe to run twice (sent-once per account and month)."""
    return digest_send()
