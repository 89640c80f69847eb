"""Screens of issue #13 in a browser: the registration page says the guide's words before the
form, and the admin index is in Russian and names the portal."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from tests.staff import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registration_page_shows_the_guides_words_before_the_form(page, live_server, screenshot):
    page.goto(f"{live_server.url}/register/")
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("достигшим совершеннолетия")
    expect(notice).to_contain_text("в особенности год рождения")
    assert notice.bounding_box()["y"] < page.get_by_label("Фамилия").bounding_box()["y"]
    screenshot(page, "register-notice")


def test_admin_index_in_russian(browser, live_server, screenshot):
    user = get_user_model().objects.create_superuser(phone="+79990009997", password="x")
    client = Client()
    staff_login(client, user)  # the admin's second factor (issue #18)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_contain_text("Личный кабинет ДМС")
    expect(page.get_by_text("Django")).to_have_count(0)
    expect(page.get_by_role("link", name="Попытки входа")).to_be_visible()
    screenshot(page, "admin-index")
    context.close()
