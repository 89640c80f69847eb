"""Delivery tasks. They take ids, call one service and are safe to run twice (see services)."""

import logging

from celery import shared_task
from django.conf import settings

from .backends import TemporaryError
from .services import message_deliver, message_give_up, messages_due, messages_resolve_stale

log = logging.getLogger(__name__)

MAX_RETRIES = 8


def _backoff(retries: int) -> int:
    """Exponential backoff: base, 2×base, 4×base … capped (30 s … 30 min by default)."""
    base = getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF", 30)
    cap = getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF_MAX", 1800)
    return min(cap, base * 2**retries)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def deliver_message(self, message_id: int, body: str | None = None) -> None:
    try:
        message_deliver(message_id=message_id, body=body)
    except TemporaryError as exc:
        if self.request.retries >= self.max_retries:
            message_give_up(message_id=message_id, error=str(exc))
            return
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(acks_late=True)
def enqueue_due_messages() -> int:
    """Beat, every few minutes: SMS held for quiet hours whose time has come, lost enqueues,
    and rows a dead worker left in SENDING."""
    messages_resolve_stale()
    ids = messages_due()
    for message_id in ids:
        deliver_message.delay(message_id, None)
    return len(ids)
