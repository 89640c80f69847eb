"""Reads of the notification log for pages of other apps («Личные данные»)."""

from django.db.models import QuerySet

from .models import Message


def user_messages(user_id: int, *, limit: int = 50) -> QuerySet[Message]:
    """The user's own notifications, newest first. Only rows tagged with his user id: a message
    sent to a phone number is not attributed by number, since numbers change hands."""
    return Message.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:limit]


def user_ids_notified(*, event: str, key_prefix: str) -> set[int]:
    """Accounts that already have a message of `event` whose sent-once key starts with
    `key_prefix` (in any channel, to any address): a periodic job skips them, so a changed
    e-mail does not earn a second copy of the same monthly message."""
    return set(
        Message.objects.filter(event=event, dedupe_key__startswith=key_prefix)
        .exclude(user_id=None)
        .values_list("user_id", flat=True)
    )
