from django.conf import settings

from . import pwa

# The account menu of the guide, verbatim (SPEC §3.1); «Выход» is a POST form in the template.
MENU = [
    ("Мои полисы", "policies:my_policies"),
    ("Формы обратной связи", "feedback:index"),
    ("Мои счета", "invoices:my_invoices"),
    ("Бонусный ВЗР", "feedback:travel"),
    ("Часто задаваемые вопросы", "faq:index"),
    ("Личные данные", "accounts:profile"),
]


def portal(request):
    return {
        "MENU": MENU,
        "INSURER": settings.INSURER,
        "PWA": {"theme_color": pwa.THEME_COLOR, "short_name": pwa.SHORT_NAME},
    }
