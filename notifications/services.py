"""The one way anything in the portal talks to people (SPEC §3.6).

Callers hand over an event name, a context and the recipient's phone and/or e-mail; this module
renders `templates/notifications/<event>.sms.txt` and `<event>.email.txt` (first line is the
subject), records one Message per channel and hands it to delivery. It imports no domain app.
Delivery itself is `.delivery` (what the tasks run). Work is queued after commit through
`.queue`, the only module that imports the tasks; the tasks import `.delivery`, never this
module or `.queue`, so there is no import loop.

Delivery guarantees (why the code is shaped like this):
- A Message row is created once per `key` + channel + recipient (unique `dedupe_key`), so a
  caller or a periodic job that runs twice creates nothing the second time.
- A task delivers a row only after claiming it with a conditional UPDATE QUEUED → SENDING.
  Two copies of the same task (Celery redelivery with acks_late, a sweep re-enqueueing it)
  cannot both send: the loser's UPDATE matches no row.
- A crash after the claim leaves the row in SENDING. We cannot know whether the backend got
  the message, so `messages_resolve_stale` re-queues e-mail (at-least-once: a duplicate e-mail
  is harmless) and marks SMS as UNKNOWN (at-most-once: a duplicate SMS costs money and
  annoys; the operator sees the row in admin and may resend it).
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
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string

from dms_portal import clock

from .backends import DeliveryError, backend_for
from .delivery import (
    MAX_ATTEMPTS,
    message_deliver,
    messages_due,
    messages_resolve_stale,
    messages_unseal_expired,
    retry_delay,
)
from .models import Channel, Message
from .queue import enqueue, enqueue_many
from .sealing import seal

log = logging.getLogger(__name__)

# Delivery lives in .delivery (the tasks' side); its entry points stay importable from here.
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

S = Message.Status
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
                enqueue(message.pk)
        elif scheduled_for is None:
            enqueue(message.pk)
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
            enqueue_many(due_now)
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
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, dedupe_key (PostgreSQL, SQLite ≥ 3.35);
    sets `pk` on the rows that went in and returns their ids. `bulk_create(ignore_conflicts=
    True)` cannot say which rows went in, so the statement is built here from the model's
    `_meta` (table, columns, each field's own conversion of its value) and run through the
    public cursor API. Rows without a key cannot conflict and go through `bulk_create`."""
    db = router.db_for_write(Message)
    connection = connections[db]
    keyless = [row for row in rows if not row.dedupe_key]
    keyed = {row.dedupe_key: row for row in rows if row.dedupe_key}
    ids: set[int] = set()
    if keyless:
        ids.update(m.pk for m in Message.objects.using(db).bulk_create(keyless))
    if not keyed:
        return ids
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    chunk_rows = list(keyed.values())
    # PostgreSQL takes one array per column (as Django's own bulk insert does): a VALUES list
    # of 13 × 1,000 placeholders costs more to build and parse than the insert itself.
    unnest = connection.vendor == "postgresql"
    size = len(chunk_rows) if unnest else max(connection.ops.bulk_batch_size(fields, chunk_rows), 1)
    for start in range(0, len(chunk_rows), size):
        chunk = chunk_rows[start : start + size]
        values = [
            [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
            for row in chunk
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_sql(connection, fields, len(chunk), unnest), _params(values, unnest)
            )
            returned = cursor.fetchall()
        for new_id, dedupe_key in returned:
            row = keyed[dedupe_key]
            row.pk = new_id
            row._state.adding = False
            row._state.db = db
            ids.add(new_id)
    return ids


def _insert_sql(connection, fields, count: int, unnest: bool) -> str:
    meta = Message._meta
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    key = quote(meta.get_field("dedupe_key").column)
    columns = ", ".join(quote(f.column) for f in fields)
    if unnest:
        # Bare type names (varchar[], not varchar(254)[]), as Django's compiler does.
        arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in fields)
        source = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608 - types from _meta
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        source = "VALUES " + ", ".join([row] * count)
    # Identifiers come from _meta and are quoted; every value is a parameter.
    return f"INSERT INTO {table} ({columns}) {source} ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}"  # noqa: E501, S608


def _params(values: list[list], unnest: bool) -> list:
    if unnest:
        return [list(column) for column in zip(*values, strict=True)]
    return [value for row in values for value in row]


def message_requeue(*, message: Message) -> bool:
    """An operator resends a FAILED or UNKNOWN message (admin action). Returns False when the
    message is in another state or its code was not stored."""
    if message.sensitive and not (message.body or message.sealed_body):
        return False
    changed = Message.objects.filter(pk=message.pk, status__in=[S.FAILED, S.UNKNOWN]).update(
        status=S.QUEUED, scheduled_for=None, error="", attempts=0
    )
    if changed:
        enqueue(message.pk)
    return bool(changed)
