"""The «Поддержка» badge's cached count (care.selectors.support_unread_for_user) is forgotten
when a message of the user's conversation is written or deleted: at once, and again once the
change is committed (a reader in between would otherwise cache the old count again)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Conversation, SupportMessage
from .selectors import support_unread_forget


def _forget_later(user_id) -> None:
    if user_id is not None:
        support_unread_forget(user_id)
        transaction.on_commit(lambda: support_unread_forget(user_id))


def message_changed(sender, instance, **kwargs) -> None:
    user_id = (
        Conversation.objects.filter(pk=instance.conversation_id)
        .values_list("user_id", flat=True)
        .first()
    )
    _forget_later(user_id)


def conversation_deleted(sender, instance, **kwargs) -> None:
    _forget_later(instance.user_id)


def connect() -> None:
    post_save.connect(message_changed, sender=SupportMessage, dispatch_uid="care-unread-save")
    post_delete.connect(message_changed, sender=SupportMessage, dispatch_uid="care-unread-delete")
    post_delete.connect(conversation_deleted, sender=Conversation, dispatch_uid="care-unread-conv")
