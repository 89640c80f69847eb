"""Periodic cleanup of the short-lived rows behind codes and pending registrations."""

import datetime as dt

from celery import shared_task

from dms_portal import clock

from .models import CodeSend, OneTimeCode, PendingRegistration, RegistrationAttempt

KEEP = dt.timedelta(days=1)


def accounts_cleanup() -> dict:
    """Drop code challenges, sends and unfinished registrations older than a day (they only
    matter for the 10-minute limits; the audit log keeps what happened)."""
    cutoff = clock.now() - KEEP
    pending, _ = PendingRegistration.objects.filter(created_at__lt=cutoff).delete()
    sends, _ = CodeSend.objects.filter(at__lt=cutoff).delete()
    challenges, _ = OneTimeCode.objects.filter(created_at__lt=cutoff).delete()
    refused, _ = RegistrationAttempt.objects.filter(at__lt=cutoff).delete()
    return {"pending": pending, "sends": sends, "codes": challenges, "refused": refused}


@shared_task(name="accounts.tasks.cleanup")
def cleanup() -> dict:
    return accounts_cleanup()
