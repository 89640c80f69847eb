"""The one way anything in the portal talks to people (SPEC §3.6).

Callers hand over an event name, a context and the recipient's phone and/or e-mail; this module
renders `templates/notifications/<event>.sms.txt` and `<event>.email.txt` (first line is the
subject), records one Message per channel and delivers it. It imports no domain app.

Delivery guarantees (why the code is shaped like this):
- A Message row is created once per `key` + channel + recipient (unique `dedupe_key`), so a
  caller or a periodic job that runs twice creates nothing the second time.
- Delivery (claims, retries, stale sends, sealed code texts) is in notifications.delivery;
  its public functions are re-exported here.
- `notify_many` is `notify` for nightly jobs: the same rows and keys, written per batch with
  INSERT … ON CONFLICT DO NOTHING RETURNING (only the rows this call inserted are returned and
  enqueued), so a rerun or a concurrent run adds nothing.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models.constants import OnConflict
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from dms_portal import clock

from .backends import DeliveryError, backend_for
from .delivery import (
    MAX_ATTEMPTS,
    _enqueue,
    message_deliver,
    message_requeue,
    messages_due,
    messages_resolve_stale,
    messages_unseal_expired,
    retry_delay,
)
from .models import Channel, Message
from .sealing import seal

__all__ = [
    "MAX_ATTEMPTS",
    "Notice",
    "message_deliver",
    "message_requeue",
    "messages_due",
    "messages_resolve_stale",
    "messages_unseal_expired",
    "notify",
    "notify_many",
    "quiet_hours_end",
    "retry_delay",
]

log = logging.getLogger(__name__)

DEFAULT_TZ = "Europe/Moscow"


def _quiet_hours() -> tuple[int, int]:
    """(start hour, end hour) of the SMS quiet period, local time; default 21:00–09:00."""
    return tuple(getattr(settings, "NOTIFICATIONS_QUIET_HOURS", (21, 9)))


def quiet_hours_end(*, moment: dt.datetime, tz: str | None = None) -> dt.datetime | None:
    """The moment an SMS may go out if `moment` falls in quiet hours, else None.

    Local time of the recipient: a per-user zone is not modelled yet, so callers may pass one
    and everyone else gets Moscow time.
    """
    zone = ZoneInfo(tz or DEFAULT_TZ)
    local = moment.astimezone(zone)
    start, end = _quiet_hours()
    if start == end or end <= local.hour < start:  # equal hours switch quiet time off
        return None
    day = local.date() if local.hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(end), tzinfo=zone)


def _render(event: str, channel: str, context: dict) -> tuple[str, str] | None:
    try:
        text = render_to_string(f"notifications/{event}.{channel}.txt", context)
    except TemplateDoesNotExist:
        return None
    text = text.strip()
    if channel == Channel.EMAIL:
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip()
    return "", " ".join(text.split())


def notify(
    *,
    event: str,
    context: dict,
    phone: str | None = None,
    email: str | None = None,
    key: str | None = None,
    sensitive: bool = False,
    user_id: int | None = None,
    immediate: bool = False,
    tz: str | None = None,
) -> list[Message]:
    """Queue (or, with `immediate`, send now) the event's messages.

    `key` makes the event sent-once per recipient and channel: a second call with the same key
    creates nothing. `sensitive` marks one-time codes: their body is kept in clear only by
    backends that allow it (the development outbox), otherwise sealed (encrypted) in the row
    until delivered or NOTIFICATIONS_SEALED_TTL passes; tasks get only the message id, never a
    text (the broker persists its queue). SMS that are neither codes
    nor `immediate` wait out the quiet hours (21:00–09:00 in `tz`, default Moscow).
    Returns the messages created by this call (empty when all were already there).
    """
    created: list[Message] = []
    now = clock.now()
    for channel, recipient in ((Channel.SMS, phone), (Channel.EMAIL, email)):
        if not recipient:
            continue
        rendered = _render(event, channel, context)
        if rendered is None:
            continue
        subject, body = rendered
        backend = backend_for(channel)
        stored_body = body if (backend.keeps_bodies or not sensitive) else ""
        sealed_body = seal(body) if sensitive and not stored_body else ""
        dedupe_key = f"{key}:{channel}:{recipient}" if key else None
        scheduled_for = None
        if channel == Channel.SMS and not (sensitive or immediate):
            scheduled_for = quiet_hours_end(moment=now, tz=tz)
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    event=event,
                    channel=channel,
                    recipient=str(recipient),
                    subject=subject,
                    body=stored_body,
                    sealed_body=sealed_body,
                    sensitive=sensitive,
                    dedupe_key=dedupe_key,
                    user_id=user_id,
                    scheduled_for=scheduled_for,
                )
        except IntegrityError:
            log.info("notification %s already queued for %s by %s", event, channel, dedupe_key)
            continue
        created.append(message)
        if immediate:
            try:
                message_deliver(message_id=message.pk, body=body)
            except DeliveryError:
                # A code must not wait for a sweep: hand the retry to the task queue.
                _enqueue(message.pk)
        elif scheduled_for is None:
            _enqueue(message.pk)
        # Messages held for quiet hours are enqueued by `enqueue_due_messages` (beat), not with
        # a Celery eta: an eta longer than the broker's visibility timeout is redelivered.
    return created


@dataclass(frozen=True)
class Notice:
    """One event for one recipient, as `notify` takes it (for `notify_many`)."""

    event: str
    context: dict
    phone: str | None = None
    email: str | None = None
    key: str | None = None
    user_id: int | None = None
    tz: str | None = None


NOTIFY_BATCH = 1000


def notify_many(notices: Iterable[Notice], *, batch_size: int = NOTIFY_BATCH) -> list[Message]:
    """`notify` for thousands of events at once (nightly reminders, overdue notices).

    Same rules as `notify` — one Message per channel whose template exists, sent-once per
    `key` + channel + recipient, SMS held for quiet hours — but per batch of `batch_size`
    notices it costs one SELECT of the keys already there (their templates are not even
    rendered, so a rerun is cheap), one INSERT … ON CONFLICT DO NOTHING RETURNING (a concurrent
    run that inserted the same key first wins; we get back only our own rows) and one on-commit
    callback that hands the new rows to the workers. No codes and no `immediate` here: those
    are single messages and go through `notify`.
    Returns the messages created (with their ids).
    """
    created: list[Message] = []
    batch: list[Notice] = []
    for notice in notices:
        batch.append(notice)
        if len(batch) >= batch_size:
            created.extend(_notify_batch(batch))
            batch = []
    if batch:
        created.extend(_notify_batch(batch))
    return created


def _notify_batch(notices: list[Notice]) -> list[Message]:
    now = clock.now()
    wanted = [
        (notice, channel, str(recipient))
        for notice in notices
        for channel, recipient in ((Channel.SMS, notice.phone), (Channel.EMAIL, notice.email))
        if recipient
    ]
    keys = [f"{n.key}:{channel}:{recipient}" for n, channel, recipient in wanted if n.key]
    existing = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    templates: dict[tuple[str, str], object] = {}
    rows: list[Message] = []
    for notice, channel, recipient in wanted:
        dedupe_key = f"{notice.key}:{channel}:{recipient}" if notice.key else None
        if dedupe_key is not None:
            if dedupe_key in existing:
                continue
            existing.add(dedupe_key)  # the same key twice in one call is one message
        rendered = _render_cached(templates, notice.event, channel, notice.context)
        if rendered is None:
            continue
        subject, body = rendered
        scheduled_for = None
        if channel == Channel.SMS:
            scheduled_for = quiet_hours_end(moment=now, tz=notice.tz)
        rows.append(
            Message(
                event=notice.event,
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                dedupe_key=dedupe_key,
                user_id=notice.user_id,
                scheduled_for=scheduled_for,
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        ids = _insert_ignoring_duplicates(rows)
        created = [row for row in rows if row.pk in ids]
        due_now = [m.pk for m in created if m.scheduled_for is None]
        if due_now:
            _enqueue_many(due_now)
    skipped = len(rows) - len(created)
    if skipped:
        log.info("%s notifications were queued meanwhile by another run", skipped)
    return created


def _render_cached(templates: dict, event: str, channel: str, context: dict):
    """`_render` with the template looked up once per (event, channel) for the whole batch."""
    if (event, channel) not in templates:
        try:
            templates[event, channel] = get_template(f"notifications/{event}.{channel}.txt")
        except TemplateDoesNotExist:
            templates[event, channel] = None
    template = templates[event, channel]
    if template is None:
        return None
    text = template.render(context).strip()
    if channel == Channel.EMAIL:
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip()
    return "", " ".join(text.split())


def _insert_ignoring_duplicates(rows: list[Message]) -> set[int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, dedupe_key; sets `pk` on the rows that
    were inserted and returns their ids. `bulk_create(ignore_conflicts=True)` cannot say which
    rows went in, so this uses the same internal insert Django's bulk_create is built on (the
    SQL is supported by PostgreSQL and by SQLite ≥ 3.35)."""
    db = router.db_for_write(Message)
    connection = connections[db]
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    key_field = Message._meta.get_field("dedupe_key")
    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
    by_key = {row.dedupe_key: row for row in rows if row.dedupe_key}
    ids: set[int] = set()
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        returned = Message.objects.db_manager(db)._insert(
            chunk,
            fields=fields,
            returning_fields=[Message._meta.pk, key_field],
            on_conflict=OnConflict.IGNORE,
        )
        # Rows without a key cannot conflict: all of them come back, in insert order.
        keyless_chunk = iter(row for row in chunk if not row.dedupe_key)
        for pk, dedupe_key in returned or []:
            row = by_key[dedupe_key] if dedupe_key else next(keyless_chunk)
            row.pk = pk
            row._state.adding = False
            row._state.db = db
            ids.add(pk)
    return ids


def _enqueue_many(message_ids: list[int]) -> None:
    """One on-commit callback for a whole batch (not one closure per message)."""
    from .tasks import deliver_message

    def send() -> None:
        for message_id in message_ids:
            deliver_message.delay(message_id)

    transaction.on_commit(send)
