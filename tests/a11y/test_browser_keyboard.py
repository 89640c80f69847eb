"""Issue #20 by keyboard alone: the pay flow with Tab/Space/Enter, the details window giving the
focus back to its opener, the pay bar never covering the focused invoice at 390 px, the skip
link, and a focus ring of at least 3:1 on every stop of the pages tabbed through."""

import re

import pytest
from playwright.sync_api import expect

from invoices.models import Invoice
from tests.conftest import ARTIFACTS
from tests.invoices.test_browser_my_invoices import log_in
from tests.payments.factories import make_invoice, make_invoices, make_user

from .keys import focused_name, tab_to, weak_rings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family(demo):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    paid = make_invoice(demo["ivanov"], status=Invoice.Status.PAID, formed_days_ago=40)
    mine = make_invoice(demo["ivanov"], formed_days_ago=8)
    child = make_invoice(demo["ivanova"], lines=(("Приём педиатра", "2500.00"),))
    return owner, mine, child, paid


def test_pay_two_invoices_with_the_keyboard_only(live_server, page, family):
    owner, mine, child, paid = family
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    tab_to(page, f"Выбрать счёт {mine.number}")
    page.keyboard.press("Space")
    tab_to(page, f"Выбрать счёт {child.number}")
    page.keyboard.press("Space")
    pay = page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))
    expect(pay).to_have_text(re.compile(r"ОПЛАТИТЬ\s890,00\s₽"))
    tab_to(page, "ОПЛАТИТЬ", exact=False)
    page.keyboard.press("Enter")

    expect(page.get_by_text("Тестовая касса")).to_be_visible()
    tab_to(page, "Оплатить")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()
    for invoice in (mine, child):
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID


def test_closing_the_details_window_gives_the_focus_back(live_server, page, family, screenshot):
    owner, mine, child, paid = family
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    for close in ("Escape", "button"):
        tab_to(page, f"Счёт {mine.number}")
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("ИТОГО К ОПЛАТЕ")).to_be_visible()
        expect(dialog).to_be_focused()  # the window has the focus once it has opened
        if close == "Escape":
            page.keyboard.press("Escape")
        else:
            tab_to(page, "Закрыть")
            page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(page.get_by_role("link", name=f"Счёт {mine.number}")).to_be_focused()
        # The next Tab goes on from the opener, not from the top of the page.
        page.keyboard.press("Tab")
        assert focused_name(page) != "Перейти к содержимому"
        page.keyboard.press("Shift+Tab")


def test_pay_bar_never_covers_the_focused_invoice_on_a_phone(live_server, page, demo):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    invoices = make_invoices(demo["ivanov"], 8)
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(live_server.url + "/invoices/")
    bar = page.locator(".my-invoices-paybar")
    checked = 0
    for invoice in reversed(invoices):  # newest first, the list's order
        for name in (f"Выбрать счёт {invoice.number}", f"Счёт {invoice.number}"):
            tab_to(page, name)
            if name.startswith("Выбрать"):
                page.keyboard.press("Space")
            focused = page.evaluate_handle("document.activeElement")
            row = focused.evaluate_handle("el => el.closest('tr')")
            # After the scroll that focusing causes has settled (scrollIntoView is instant).
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            row_box, bar_box = row.as_element().bounding_box(), bar.bounding_box()
            assert row_box["y"] + row_box["height"] <= bar_box["y"] + 0.5, (name, row_box, bar_box)
            assert row_box["y"] >= 0, (name, row_box)
            assert row_box["y"] + row_box["height"] <= 700, (name, row_box)
            checked += 1
    assert checked == 16
    expect(page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))).to_be_enabled()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "a11y-paybar-focus-390.png"))


def test_skip_link_is_the_first_stop_and_moves_to_the_content(live_server, page, family):
    owner, *_ = family
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "a11y-skip-link-1280.png"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next stop is inside the page's content, past the menu.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("width", [1280, 390])
def test_every_control_shows_a_focus_ring_of_three_to_one(live_server, page, family, width):
    owner, mine, *_ = family
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": width, "height": 900})
    weak = []
    for path in ("/invoices/", "/feedback/", "/profile/", "/feedback/travel/", "/faq/"):
        page.goto(live_server.url + path)
        weak += [f"{path} {w}" for w in weak_rings(page, 40)]
    assert weak == [], "\n".join(weak)
    # What the rings look like: the header's first link, then a text field with its label.
    page.goto(live_server.url + "/feedback/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.screenshot(path=str(ARTIFACTS / f"a11y-focus-header-{width}.png"))
    tab_to(page, "Текст обращения")
    page.screenshot(path=str(ARTIFACTS / f"a11y-focus-field-{width}.png"))
