"""Business steps of «Поддержка»: one conversation per user, answered by staff in admin.

Unread counters are the messages of the other side with no `read_at`. An answer is e-mailed
when the user has not had the chat open for SUPPORT_AWAY_SECONDS (an open chat polls and sees
it at once, so mail would only be noise).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from dms_portal.uploads import sniff_content_type, uploads_check
from notifications.services import notify

from .errors import CareError
from .models import Conversation, SupportAttachment, SupportMessage
from .selectors import support_unread_forget


def conversation_for(user) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(user=user)
    return conversation


@transaction.atomic
def support_post(*, user, text: str, files=(), ip: str | None = None) -> SupportMessage:
    """The user writes to support (text and/or files, checked like appeals' attachments)."""
    text = (text or "").strip()
    files = uploads_check(files)
    if not text and not files:
        raise CareError("Напишите сообщение или приложите файл")
    conversation = conversation_for(user)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    now = clock.now()
    message = SupportMessage.objects.create(
        conversation=conversation, author=user, text=text, created_at=now
    )
    for upload in files:
        SupportAttachment.objects.create(
            message=message,
            file=upload,
            original_name=upload.name[:255],
            content_type=sniff_content_type(upload),
            size=upload.size,
        )
    conversation.last_message_at = now
    conversation.user_seen_at = now
    conversation.save(update_fields=["last_message_at", "user_seen_at"])
    audit_log(action="care.support_post", actor=user, target=message, ip=ip)
    return message


@transaction.atomic
def support_reply(*, conversation_id: int, by, text: str) -> SupportMessage:
    """Staff answer; the user's messages count as read by staff from now on."""
    text = (text or "").strip()
    if not text:
        raise CareError("Напишите ответ")
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=conversation_id)
    )
    now = clock.now()
    support_mark_read(conversation=conversation, by_staff=True)
    message = SupportMessage.objects.create(
        conversation=conversation, author=by, from_staff=True, text=text, created_at=now
    )
    conversation.last_message_at = now
    conversation.save(update_fields=["last_message_at"])
    audit_log(action="care.support_reply", actor=by, target=message)
    away = dt.timedelta(seconds=settings.SUPPORT_AWAY_SECONDS)
    user = conversation.user
    if user.email and (conversation.user_seen_at is None or now - conversation.user_seen_at > away):
        notify(
            event="care_support_reply",
            context={"message": message},
            email=user.email,
            key=f"support:{message.pk}",
            user_id=user.pk,
        )
    return message


def support_mark_read(*, conversation: Conversation, by_staff: bool) -> int:
    """The other side's messages become read; the user side also records that he is here."""
    now = clock.now()
    count = SupportMessage.objects.filter(
        conversation=conversation, from_staff=not by_staff, read_at__isnull=True
    ).update(read_at=now)
    if not by_staff:
        Conversation.objects.filter(pk=conversation.pk).update(user_seen_at=now)
    if count:  # a bulk update sends no signal: the badge's cached count is forgotten here
        support_unread_forget(conversation.user_id)
        transaction.on_commit(lambda: support_unread_forget(conversation.user_id))
    return count
