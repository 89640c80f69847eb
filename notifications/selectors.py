"""Reads of the notification log for pages of other apps («Личные данные»)."""

from django.db.models import QuerySet

from .models import Message


def user_messages(user_id: int, *, limit: int = 50) -> QuerySet[Message]:
    """The user's own notifications, newest first. Only rows tagged with his user id: a message
    sent to a phone number is not attributed by number, since numbers change hands."""
    return Message.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:limit]
