"""The one way anything in the portal talks to people (SPEC §3.6).

Callers hand over an event name, a context and the recipient's phone and/or e-mail; this module
renders `templates/notifications/<event>.sms.txt` and `<event>.email.txt` (first line is the
subject), records one Message per channel and delivers it. It imports no domain app.
"""

import logging

from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from dms_portal import clock

from .backends import DeliveryError, backend_for
from .models import Channel, Message

log = logging.getLogger(__name__)


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
) -> list[Message]:
    """Queue (or, with `immediate`, send now) the event's messages.

    `key` makes the event sent-once per recipient and channel: a second call with the same key
    creates nothing. `sensitive` marks one-time codes: their body is kept only by backends that
    allow it and is otherwise passed to delivery in memory only.
    """
    created: list[Message] = []
    for channel, recipient in ((Channel.SMS, phone), (Channel.EMAIL, email)):
        if not recipient:
            continue
        rendered = _render(event, channel, context)
        if rendered is None:
            continue
        subject, body = rendered
        backend = backend_for(channel)
        stored_body = body if (backend.keeps_bodies or not sensitive) else ""
        dedupe_key = f"{key}:{channel}:{recipient}" if key else None
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    event=event,
                    channel=channel,
                    recipient=str(recipient),
                    subject=subject,
                    body=stored_body,
                    sensitive=sensitive,
                    dedupe_key=dedupe_key,
                    user_id=user_id,
                )
        except IntegrityError:
            log.info("notification %s already sent to %s by %s", event, channel, dedupe_key)
            continue
        created.append(message)
        if immediate:
            message_deliver(message_id=message.pk, body=body)
        else:
            from .tasks import deliver_message

            transaction.on_commit(
                lambda mid=message.pk, b=(body if sensitive else None): deliver_message.delay(
                    mid, b
                )
            )
    return created


def message_deliver(*, message_id: int, body: str | None = None) -> Message:
    """Deliver one message; safe to repeat (a sent message is not sent again).

    Raises the backend's TemporaryError so a task can retry; a permanent failure is recorded.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status != Message.Status.QUEUED:
            return message
        message.attempts += 1
        message.save(update_fields=["attempts"])
    text = body if body is not None else message.body
    try:
        backend_for(message.channel).send(
            channel=message.channel, recipient=message.recipient, subject=message.subject, body=text
        )
    except DeliveryError as exc:
        message.error = str(exc)[:2000]
        if exc.permanent:
            message.status = Message.Status.FAILED
        message.save(update_fields=["error", "status"])
        if not exc.permanent:
            raise
        return message
    message.status = Message.Status.SENT
    message.sent_at = clock.now()
    message.error = ""
    message.save(update_fields=["status", "sent_at", "error"])
    return message
