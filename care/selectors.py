"""Reads of care: what a user may see (his own and his relatives' requests, his own chat)."""

from django.core.cache import cache
from django.db.models import Case, IntegerField, QuerySet, Value, When

from policies.selectors import person_ids_for_user

from .models import Conversation, DoctorRequest, SupportAttachment, SupportMessage


def requests_for_user(user) -> QuerySet[DoctorRequest]:
    """Requests of the people this user may see (himself and the relatives he sponsors)."""
    return (
        DoctorRequest.objects.filter(person_id__in=person_ids_for_user(user))
        .select_related("person", "clinic")
        .order_by("-created_at", "-id")
    )


def get_request_for_user(user, request_id: int) -> DoctorRequest:
    """Raises DoctorRequest.DoesNotExist for another family's request (the view says 404)."""
    return requests_for_user(user).get(pk=request_id)


# The medical desk's order: open before closed, SOS on top, then oldest first. Expressions, not
# annotations, so the admin changelist can use them as its `ordering` too.
DESK_ORDER = (
    Case(
        When(status__in=[DoctorRequest.Status.NEW, DoctorRequest.Status.PROPOSED], then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc(),
    Case(
        When(kind=DoctorRequest.Kind.SOS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    ).asc(),
    "created_at",
    "id",
)


def desk_queue(queryset: QuerySet[DoctorRequest]) -> QuerySet[DoctorRequest]:
    return queryset.order_by(*DESK_ORDER)


def support_messages_for_user(user) -> QuerySet[SupportMessage]:
    return (
        SupportMessage.objects.filter(conversation__user=user)
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


# The «Поддержка» badge is on every page for every signed-in user: counted once, then kept in
# the cache (Redis in production, shared by the web processes) under the user's own key until a
# message of his conversation is written, read or deleted (support_unread_forget, called by
# care.signals and support_mark_read). The expiry only bounds a lost race between a count and
# a change.
UNREAD_CACHE_SECONDS = 300


def _unread_key(user_id: int) -> str:
    return f"care:support-unread:{user_id}"


def support_unread_for_user(user) -> int:
    """Staff answers the user has not seen yet (the badge on «Поддержка»)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = SupportMessage.objects.filter(
            conversation__user=user, from_staff=True, read_at__isnull=True
        ).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def support_unread_forget(user_id: int) -> None:
    cache.delete(_unread_key(user_id))


def support_unread_for_staff(conversation: Conversation) -> int:
    return conversation.messages.filter(from_staff=False, read_at__isnull=True).count()


def get_attachment_for_user(user, attachment_id: int) -> SupportAttachment:
    return SupportAttachment.objects.select_related("message").get(
        pk=attachment_id, message__conversation__user=user
    )
