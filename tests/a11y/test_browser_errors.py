"""Issue #20: after a failed submit the page's title starts with «Ошибка:», an error summary at
the top takes the focus (a screen reader reads it at once), each of its links puts the focus in
its field, and every field's aria-describedby names elements that exist and hold its error."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.invoices.test_browser_my_invoices import log_in
from tests.payments.factories import make_invoice, make_user

from .keys import dangling_idrefs, unexplained_invalid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shows_errors_well(page, title: str) -> None:
    expect(page).to_have_title(re.compile(f"^Ошибка: {title}"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name=re.compile("^Исправьте"))).to_be_visible()
    assert dangling_idrefs(page) == []
    assert unexplained_invalid(page) == []
    assert page.locator("[aria-invalid='true']").count() >= 1


def test_feedback_form_errors_take_the_focus_and_link_to_their_fields(
    live_server, page, demo, screenshot
):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    make_invoice(demo["ivanov"])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("feedback:index"))
    page.get_by_role("button", name="Отправить", exact=True).click()
    shows_errors_well(page, "Формы обратной связи")
    text = page.get_by_label("Текст обращения")
    expect(text).to_have_attribute("aria-invalid", "true")
    error_id = text.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_have_text(re.compile(r"\S"))
    screenshot(page, "a11y-error-summary-feedback")
    # The summary's link moves the focus into the field it names, as a person would follow it.
    link = page.locator("#error-summary").get_by_role("link", name=re.compile("^Текст обращения"))
    link.focus()
    page.keyboard.press("Enter")
    expect(text).to_be_focused()


def test_travel_form_errors_are_announced(live_server, page, demo):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("feedback:travel"))
    page.get_by_role("button", name="Оформить полис").click()
    shows_errors_well(page, "Бонусный ВЗР")
    # The country boxes are one group: the group names the error.
    group = page.get_by_role("group", name=re.compile("^Страна|^Страны"))
    described = group.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").count() == 1


def test_registration_errors_and_the_consent_box(live_server, page, db, screenshot):
    page.goto(live_server.url + reverse("accounts:register"))
    page.get_by_label("Фамилия").fill("Петров")
    page.get_by_role("button", name="Зарегистрироваться").click()
    shows_errors_well(page, "Регистрация")
    consent = page.locator("#id_consent")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_consent_error")).to_be_visible()
    expect(page.get_by_label("Фамилия")).to_have_value("Петров")
    screenshot(page, "a11y-error-summary-register")


def test_login_error_without_a_field_still_names_the_form(live_server, page, db):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Номер телефона").fill("9990000099")
    page.get_by_label("Пароль").fill("Wrong-pass-2026!")
    page.get_by_role("button", name="Войти").click()
    # A wrong password is the form's error, not a field's: the summary still leads the page.
    expect(page).to_have_title(re.compile("^Ошибка: Вход в личный кабинет"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_count(1)
    assert dangling_idrefs(page) == []


def test_a_page_without_errors_has_a_plain_title(live_server, page, db):
    page.goto(live_server.url + reverse("accounts:login"))
    expect(page).to_have_title(re.compile("^Вход в личный кабинет"))
    assert page.locator("#error-summary").count() == 0
