"""FAQ search in a browser: a Russian word form finds the question (issue #13)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_faq_search_franshiza_finds_how_to_activate(page, live_server, faq_seeded, screenshot):
    page.goto(f"{live_server.url}/faq/")
    page.get_by_label("Поиск по вопросам").fill("франшиза")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_role("button", name="Как активировать франшизу?")).to_be_visible()
    expect(page.get_by_text("ничего не найдено")).to_have_count(0)
    screenshot(page, "faq-search-franshiza")
