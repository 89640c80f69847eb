import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faq_page_is_public_and_linked_from_footer(live_server, page, faq_seeded, screenshot):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Часто задаваемые вопросы").click()
    expect(page.get_by_role("heading", name="Часто задаваемые вопросы")).to_be_visible()
    page.get_by_label("Поиск по вопросам").fill("франшизу")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_text("Как активировать франшизу?")).to_be_visible()
    screenshot(page, "faq")
