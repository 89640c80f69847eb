"""«Бонусный ВЗР» clicked through: the form is there at once, errors are clear, the PDF opens."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from dms_portal import clock
from feedback.models import BonusTravelPolicy

from .test_browser_feedback import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_issues_a_bonus_travel_policy_and_downloads_its_pdf(
    live_server, page, world, screenshot
):
    login(page.context, live_server, world["owner"])
    start = clock.moscow_today() + dt.timedelta(days=10)
    end = start + dt.timedelta(days=6)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Бонусный ВЗР").first.click()
    expect(page.get_by_role("heading", name="Бонусный ВЗР")).to_be_visible()

    page.get_by_label("Турция").check()
    page.get_by_label("Грузия").check()
    page.get_by_label("Дата начала").fill(f"{start:%d.%m.%Y}")
    page.get_by_label("Дата окончания").fill(f"{end:%d.%m.%Y}")
    # A Cyrillic name is refused with a clear message and nothing is issued.
    page.get_by_label("Фамилия латиницей (Иванов Иван Иванович)").fill("Иванов")
    page.get_by_role("button", name="Оформить полис").click()
    expect(
        # under the field, in the form (the error summary above repeats it)
        page.locator("form").get_by_text("нужно написать латинскими буквами, как в загранпаспорте")
    ).to_be_visible()
    assert not BonusTravelPolicy.objects.exists()

    page.get_by_label("Фамилия латиницей (Иванов Иван Иванович)").fill("Ivanov")
    page.get_by_label("Едет: Иванова Мария Ивановна").check()
    # What was entered survives the error.
    expect(page.get_by_label("Турция")).to_be_checked()
    expect(page.get_by_label("Дата начала")).to_have_value(f"{start:%d.%m.%Y}")
    page.get_by_role("button", name="Оформить полис").click()
    expect(page.get_by_text(re.compile(r"Полис ВЗР-\d{4}-\d{6} оформлен"))).to_be_visible()
    policy = BonusTravelPolicy.objects.get()
    card = page.locator("article").filter(has_text=policy.number)
    expect(card).to_contain_text("IVANOV IVAN, IVANOVA MARIIA")
    expect(card).to_contain_text("Грузия, Турция")
    expect(card).to_contain_text(f"{start:%d.%m.%Y} — {end:%d.%m.%Y} (7 дн.)")
    link = page.get_by_role("link", name=f"PDF полиса {policy.number}")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    screenshot(page, "feedback-travel")


def test_faq_screenshots_with_a_search(live_server, page, world, faq_seeded, screenshot):
    login(page.context, live_server, world["owner"])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Часто задаваемые вопросы").first.click()
    expect(page.get_by_role("heading", name="Часто задаваемые вопросы")).to_be_visible()
    screenshot(page, "feedback-faq")
    page.get_by_label("Поиск по вопросам").fill("счета")
    page.get_by_role("button", name="Найти").click()
    expect(
        page.get_by_text("Когда и где я могу увидеть счета за оказанные услуги?")
    ).to_be_visible()
    screenshot(page, "feedback-faq-search")
