from django.conf import settings
from django.utils.functional import SimpleLazyObject

from care.selectors import support_unread_for_user

from . import pwa

# The account menu of the guide, verbatim (SPEC §3.1), with §3.9's «Клиники», «Запись к
# врачу» after «Мои счета» and «Поддержка» after the FAQ; «Выход» is a POST form in the template.
MENU = [
    ("Мои полисы", "policies:my_policies"),
    ("Формы обратной связи", "feedback:index"),
    ("Мои счета", "invoices:my_invoices"),
    ("Клиники", "clinics:index"),
    ("Запись к врачу", "care:requests"),
    ("Бонусный ВЗР", "feedback:travel"),
    ("Часто задаваемые вопросы", "faq:index"),
    ("Поддержка", "care:support"),
    ("Личные данные", "accounts:profile"),
]


def portal(request):
    user = getattr(request, "user", None)
    return {
        "MENU": MENU,
        "INSURER": settings.INSURER,
        "BOOTSTRAP_CSS": settings.BOOTSTRAP_CSS,
        "PWA": {"theme_color": pwa.THEME_COLOR, "short_name": pwa.SHORT_NAME},
        # Counted only when a page shows the menu (lazy), one query.
        "SUPPORT_UNREAD": SimpleLazyObject(lambda: support_unread_for_user(user)),
    }
