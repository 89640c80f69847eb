"""The monthly digest's opt-out in «Личные данные», in a real browser (SPEC §3.8)."""

import pytest
from playwright.sync_api import expect

from accounts.demo import seed_accounts
from accounts.models import User
from policies.demo import seed_policies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_user_turns_the_monthly_digest_off_and_on(live_server, page, screenshot):
    seed_policies()
    seed_accounts()  # Иванов, +79990000001 / Demo-2026!, as seed_demo makes him
    page.goto(live_server.url + "/")
    page.get_by_label("Номер телефона").fill("9990000001")
    page.get_by_label("Пароль", exact=True).fill("Demo-2026!")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Личные данные").click()
    section = page.get_by_role("region", name="Ежемесячная сводка")
    box = section.get_by_label("Присылать ежемесячную сводку «Ваш личный кабинет ДМС за …»")
    expect(box).to_be_checked()
    assert User.objects.get(phone="+79990000001").monthly_digest is True
    screenshot(page, "profile-monthly-digest")
    box.uncheck()
    section.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Ежемесячная сводка больше не придёт.")).to_be_visible()
    expect(box).not_to_be_checked()
    assert User.objects.get(phone="+79990000001").monthly_digest is False
    box.check()
    section.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Ежемесячная сводка включена.")).to_be_visible()
    expect(box).to_be_checked()
    assert User.objects.get(phone="+79990000001").monthly_digest is True
