"""A long invoice in the details window: 100 lines a page, the pager keeps the user inside the
window, the totals are the whole invoice's."""

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS
from tests.payments.factories import make_invoice, make_user

from .test_browser_my_invoices import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pager_screenshots(page, modal, name):
    """The window scrolled to its pager, at 1280 and 390 px."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # the modal re-lays out (full screen below 768 px)
        modal.get_by_role("navigation").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))


def test_long_invoice_pages_inside_the_modal(live_server, page, demo):
    owner = make_user(demo["ivanov"], phone="+79990000001")
    names = ("Приём врача-терапевта повторный", "Общий анализ крови", "УЗИ брюшной полости")
    invoice = make_invoice(
        demo["ivanov"], lines=tuple((f"{names[i % 3]} № {i + 1}", "100.00") for i in range(250))
    )
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    page.get_by_role("link", name=f"Счёт {invoice.number}").click()
    modal = page.get_by_role("dialog")
    expect(modal.get_by_text("Услуги 1–100 из 250")).to_be_visible()
    expect(modal.get_by_role("table").get_by_role("row")).to_have_count(101)
    expect(modal.get_by_text("25\xa0000,00\xa0₽")).to_be_visible()  # all 250 lines
    pager_screenshots(page, modal, "invoice-details-paging")

    page.set_viewport_size({"width": 1280, "height": 900})
    modal.get_by_role("link", name="Следующая страница").click()
    expect(modal.get_by_text("Услуги 101–200 из 250")).to_be_visible()
    expect(modal.get_by_text("Общий анализ крови № 101", exact=True)).to_be_visible()
    assert page.url == live_server.url + "/invoices/"  # still the list, in the window
    modal.get_by_role("link", name="Страница 3").click()
    expect(modal.get_by_text("Услуги 201–250 из 250")).to_be_visible()
    expect(modal.get_by_role("table").get_by_role("row")).to_have_count(51)
    expect(modal.get_by_text("25\xa0000,00\xa0₽")).to_be_visible()
    pager_screenshots(page, modal, "invoice-details-paging-last")


def test_details_labels_stay_inside_their_column_on_a_phone(live_server, page, demo):
    """«ЗАСТРАХОВАННЫЙ» is one long word: at 390 px it ran over the person's name."""
    owner = make_user(demo["ivanov"], phone="+79990000001")
    invoice = make_invoice(demo["ivanov"])
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.get_by_text("ЗАСТРАХОВАННЫЙ")).to_be_visible()
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.invoice-details dt')]
             .filter(dt => dt.scrollWidth > dt.clientWidth).map(dt => dt.textContent)"""
    )
    assert overflowing == []
