"""Two menu items are never current at once (issue #13: «Бонусный ВЗР» lit «Формы обратной
связи» too)."""

import re

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/feedback/travel/", "Бонусный ВЗР"),
        ("/feedback/", "Формы обратной связи"),
        ("/faq/", "Часто задаваемые вопросы"),
    ],
)
def test_exactly_one_menu_item_is_current(client, ivanov_user, path, current):
    client.force_login(ivanov_user)
    html = client.get(path).content.decode()
    active = re.findall(r'class="nav-link active"[^>]*>([^<]+)<', html)
    assert active == [current]
