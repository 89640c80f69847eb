import datetime as dt
from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

from dms_portal import clock
from dms_portal.money import format_rub

register = template.Library()


@register.filter
def rub(value) -> str:
    """Money as «1 234,50 ₽»."""
    if value is None or value == "":
        return ""
    return format_rub(Decimal(value))


@register.filter
def ddmmyyyy(value) -> str:
    """A date as ДД.ММ.ГГГГ whatever the locale does; a moment becomes its Moscow date (the
    clock seam), never the UTC one."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = clock.to_moscow_date(value)
    return value.strftime("%d.%m.%Y")


@register.simple_tag(takes_context=True)
def menu_active(context, url_name: str) -> str:
    request = context.get("request")
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    return "active" if request is not None and request.path.startswith(url) else ""
