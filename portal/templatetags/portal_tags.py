from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

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
    """A date as ДД.ММ.ГГГГ whatever the locale does."""
    return value.strftime("%d.%m.%Y") if value else ""


@register.simple_tag(takes_context=True)
def menu_active(context, url_name: str) -> str:
    """«active» for the one menu item whose address is the longest start of the page's path:
    «Бонусный ВЗР» (/feedback/travel/) lies under «Формы обратной связи» (/feedback/), and
    only one item may be current at a time."""
    request = context.get("request")
    if request is None:
        return ""
    matches = []
    for _label, name in context.get("MENU") or [("", url_name)]:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if request.path.startswith(url):
            matches.append((len(url), name))
    return "active" if matches and max(matches)[1] == url_name else ""
