"""Delivery tasks. They take ids, call one service and are safe to run twice (see services)."""

from celery import shared_task

from dms_portal import clock

from .backends import TemporaryError
from .delivery import (
    message_deliver,
    messages_due,
    messages_resolve_stale,
    messages_unseal_expired,
)
from .models import Message


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self, message_id: int, body: str | None = None) -> None:
    """Retries follow the row: message_deliver sets `scheduled_for` to the end of the backoff
    and gives up (FAILED) after MAX_ATTEMPTS, so the task only has to come back then.

    Nothing passes `body` any more (a code's text is sealed in its row, and the broker must
    not hold it); the parameter stays for tasks queued before that change."""
    try:
        message_deliver(message_id=message_id, body=body)
    except TemporaryError as exc:
        if self.request.is_eager:
            # No broker (development): the row keeps its next attempt time and
            # `enqueue_due_messages` (beat) picks it up then.
            return
        due = Message.objects.values_list("scheduled_for", flat=True).get(pk=message_id)
        countdown = max(1.0, (due - clock.now()).total_seconds() + 1) if due else 30.0
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def enqueue_due_messages() -> int:
    """Beat, every few minutes: SMS held for quiet hours whose time has come, retries whose
    backoff is over, lost enqueues, and rows a dead worker left in SENDING."""
    messages_resolve_stale()
    messages_unseal_expired()
    ids = messages_due()
    for message_id in ids:
        deliver_message.delay(message_id)
    return len(ids)
