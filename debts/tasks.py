"""Beat entry points (settings.CELERY_BEAT_SCHEDULE). Each calls the same service as its
management command; every one is safe to run twice (sent-once keys, conditional updates)."""

from celery import shared_task

from .services.overdue import overdue_apply
from .services.overdue import restore_settled as _restore_settled
from .services.reminders import reminders_send
from .services.reports import employer_reports_run


@shared_task(acks_late=True)
def send_reminders() -> dict:
    return reminders_send()


@shared_task(acks_late=True)
def apply_overdue() -> dict:
    return overdue_apply()


@shared_task(acks_late=True)
def restore_settled() -> int:
    return _restore_settled()


@shared_task(acks_late=True)
def employer_reports() -> dict:
    return employer_reports_run()
