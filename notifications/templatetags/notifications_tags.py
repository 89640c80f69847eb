"""`{% load notifications_tags %}{% notification_history request.user %}` on «Личные данные»."""

from django import template

from ..selectors import user_messages

register = template.Library()


@register.inclusion_tag("notifications/_history.html")
def notification_history(user, limit: int = 50):
    messages = user_messages(user.pk, limit=limit) if getattr(user, "pk", None) else []
    return {"notification_messages": messages}
