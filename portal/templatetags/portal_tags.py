import datetime as dt
from decimal import Decimal
from functools import lru_cache

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from dms_portal import clock
from dms_portal.money import format_rub
from dms_portal.russian import count_noun, name_declined, period_name, phone_display

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


@lru_cache(maxsize=512)
def _reverse_cached(name: str, prefix: str, urlconf: str | None) -> str | None:
    """Menu addresses never change within a process: reversing them 81 times a page (9 items ×
    9 candidates) was a tenth of «Мои полисы»' time. Keyed by script prefix and URLconf."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def menu_active(context, url_name: str) -> str:
    """«active» for the one menu item whose address is the longest start of the page's path:
    «Бонусный ВЗР» (/feedback/travel/) lies under «Формы обратной связи» (/feedback/), and
    only one item may be current at a time. Worked out once per request."""
    request = context.get("request")
    if request is None:
        return ""
    menu = context.get("MENU") or [("", url_name)]
    memo = getattr(request, "_portal_menu_active", None)
    if memo is None or memo[0] is not menu:
        matches = []
        for _label, name in menu:
            url = _reverse_cached(name, get_script_prefix(), get_urlconf())
            if url is not None and request.path.startswith(url):
                matches.append((len(url), name))
        memo = (menu, max(matches)[1] if matches else None)
        request._portal_menu_active = memo
    return "active" if memo[1] == url_name else ""


@register.filter
def phone(value) -> str:
    """A phone as «+7 999 000-00-01» everywhere it is shown (receipts and history included)."""
    return phone_display(value)


@register.filter
def period(value) -> str:
    """A month as «октябрь 2026»: a date, or an object with period_year/period_month."""
    if not value:
        return ""
    if hasattr(value, "period_year"):
        return period_name(value.period_year, value.period_month)
    return period_name(value.year, value.month)


@register.filter
def counted(value, noun: str) -> str:
    """«{{ n|counted:"счёт" }}» → «1 счёт», «2 счёта», «5 счетов» (gettext plural forms)."""
    return count_noun(value, noun)


@register.filter
def declined(person, case: str) -> str:
    """A person's full name in a case: «{{ person|declined:"dative" }}» → «Иванову Ивану
    Ивановичу» (for sentences like «оказанные застрахованному …»)."""
    return name_declined(
        last=person.last_name, first=person.first_name, middle=person.patronymic, case=case
    )
