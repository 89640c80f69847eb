"""Delivering queued messages: claim, send, record the outcome, retry, resolve dead claims.
The tasks call this module; it queues nothing itself, so it imports neither the tasks nor
`.queue` (services → queue → tasks → delivery has no loop back).

Why it is shaped like this:
- A task delivers a row only after claiming it with a conditional UPDATE QUEUED → SENDING.
  Two copies of the same task (Celery redelivery with acks_late, a sweep re-enqueueing it)
  cannot both send: the loser's UPDATE matches no row.
- A crash after the claim leaves the row in SENDING. We cannot know whether the backend got
  the message, so `messages_resolve_stale` re-queues e-mail (at-least-once: a duplicate e-mail
  is harmless) and marks SMS as UNKNOWN (at-most-once: a duplicate SMS costs money and
  annoys; the operator sees the row in admin and may resend it).
- Tasks carry the message id only. A one-time code's text is read from its row, where it is
  sealed (notifications.sealing) until delivered or NOTIFICATIONS_SEALED_TTL passes: the broker
  persists its queue to disk and must never hold a code.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import F, Q

from dms_portal import clock

from .backends import DeliveryError, backend_for
from .models import Channel, Message
from .sealing import unseal

log = logging.getLogger(__name__)

S = Message.Status

MAX_ATTEMPTS = 9


def _sealed_ttl() -> int:
    """Seconds a code's sealed text may wait for delivery (the code lives 10 minutes)."""
    return int(getattr(settings, "NOTIFICATIONS_SEALED_TTL", 600))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the n-th failed attempt: 30 s, 60 s, 120 s … capped at 30 min
    (NOTIFICATIONS_RETRY_BACKOFF / NOTIFICATIONS_RETRY_BACKOFF_MAX)."""
    base = getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF", 30)
    cap = getattr(settings, "NOTIFICATIONS_RETRY_BACKOFF_MAX", 1800)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def _stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "NOTIFICATIONS_SENDING_STALE_SECONDS", 900))


def message_deliver(*, message_id: int, body: str | None = None) -> Message:
    """Deliver one message; safe to repeat and to run concurrently (one claim wins).

    A temporary error puts the row back to QUEUED with `scheduled_for` = now + backoff (the
    row, not the task, says when the next attempt is due, so a Celery retry and the sweep
    agree) and is re-raised for the task; after MAX_ATTEMPTS, or on a permanent error, the
    row is FAILED. A message that is not QUEUED or not yet due is returned untouched.
    """
    now = clock.now()
    claimed = (
        Message.objects.filter(pk=message_id, status=S.QUEUED)
        .filter(Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=now))
        .update(status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    message = Message.objects.get(pk=message_id)
    if not claimed:
        if message.status == S.SENDING and _resolve_if_stale(message):
            # A dead worker's claim: e-mail is QUEUED again and sent now; SMS is UNKNOWN.
            return message_deliver(message_id=message_id, body=body)
        return message
    text = body if body is not None else message.body
    if message.sensitive and not text:
        text = unseal(message.sealed_body, max_age=_sealed_ttl())
    if message.sensitive and not text:
        # Never stored, or sealed longer ago than the code lives: nothing worth sending.
        return _finish(message, status=S.FAILED, error="текст кода недоступен для повтора")
    try:
        backend_for(message.channel).send(
            channel=message.channel, recipient=message.recipient, subject=message.subject, body=text
        )
    except DeliveryError as exc:
        if exc.permanent:
            return _finish(message, status=S.FAILED, error=str(exc))
        if message.attempts >= MAX_ATTEMPTS:
            return _finish(message, status=S.FAILED, error=f"попытки исчерпаны: {exc}")
        _finish(
            message,
            status=S.QUEUED,
            error=str(exc),
            scheduled_for=clock.now() + retry_delay(message.attempts),
        )
        raise
    return _finish(message, status=S.SENT, error="")


def _finish(
    message: Message, *, status: str, error: str, scheduled_for: dt.datetime | None = None
) -> Message:
    """Record the outcome of our own claim (only a row still in SENDING is ours to change)."""
    fields = {"status": status, "error": error[:2000], "claimed_at": None}
    if status != S.QUEUED:
        fields["sealed_body"] = ""  # delivered or given up: the code's text is not kept
    if scheduled_for is not None:
        fields["scheduled_for"] = scheduled_for
    if status == S.SENT:
        fields["sent_at"] = clock.now()
    Message.objects.filter(pk=message.pk, status=S.SENDING).update(**fields)
    message.refresh_from_db()
    return message


def _resolve_if_stale(message: Message) -> bool:
    if message.claimed_at and message.claimed_at < clock.now() - _stale_after():
        return messages_resolve_stale(message_ids=[message.pk]) > 0
    return False


def messages_resolve_stale(*, message_ids: list[int] | None = None) -> int:
    """Settle rows a dead worker left in SENDING: e-mail back to QUEUED, SMS to UNKNOWN.

    Returns how many rows changed. Conditional updates: a live worker that finishes meanwhile
    keeps its own outcome.
    """
    cutoff = clock.now() - _stale_after()
    stale = Message.objects.filter(status=S.SENDING, claimed_at__lt=cutoff)
    if message_ids is not None:
        stale = stale.filter(pk__in=message_ids)
    requeued = stale.filter(channel=Channel.EMAIL).update(
        status=S.QUEUED, claimed_at=None, error="обработчик остановился во время отправки"
    )
    unknown = stale.filter(channel=Channel.SMS).update(
        status=S.UNKNOWN,
        claimed_at=None,
        error="обработчик остановился во время отправки: SMS могло уйти, повтор не выполнялся",
    )
    if requeued or unknown:
        log.warning("stale sends resolved: %s e-mail re-queued, %s SMS unknown", requeued, unknown)
    return requeued + unknown


def messages_unseal_expired(*, now: dt.datetime | None = None) -> int:
    """Wipe sealed code texts older than a code lives (a row left QUEUED or UNKNOWN would
    otherwise keep one; the key is SECRET_KEY's, so encrypted is not gone)."""
    cutoff = (now or clock.now()) - dt.timedelta(seconds=_sealed_ttl())
    return (
        Message.objects.filter(created_at__lt=cutoff, status__in=[S.QUEUED, S.UNKNOWN])
        .exclude(sealed_body="")
        .update(sealed_body="", status=S.FAILED, error="код устарел, не отправлен")
    )


def messages_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of QUEUED messages that should be handed to a worker now: quiet-hour SMS whose time
    has come, retries whose backoff is over (the safety net when a retry task was lost, and the
    only retry path when tasks run inline), and any message whose enqueue was lost (broker
    down at commit) after a grace period. Codes without a stored body are left alone: they
    cannot be rebuilt (their sealed text is wiped once it is older than a code lives)."""
    now = now or clock.now()
    grace = now - dt.timedelta(minutes=5)
    return list(
        Message.objects.filter(status=S.QUEUED)
        .filter(Q(scheduled_for__lte=now) | Q(scheduled_for__isnull=True, created_at__lt=grace))
        .exclude(sensitive=True, body="", sealed_body="")
        .order_by("scheduled_for", "id")
        .values_list("pk", flat=True)[:limit]
    )
