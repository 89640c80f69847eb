"""«Оплатить частями» in a real browser (SPEC §3.8): a person splits an invoice into three
parts, sees the schedule before confirming, and pays part by part through the sandbox; between
payments the row shows what remains and the next part; ОПЛАЧЕН only after the third."""

import re

import pytest
from playwright.sync_api import expect

from invoices.models import InstalmentPart, Invoice
from tests.conftest import ARTIFACTS
from tests.invoices.test_browser_my_invoices import log_in

from .factories import make_user
from .instalments import invoice_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rub(text: str) -> re.Pattern:
    """«1 000,00 ₽» whatever spaces the page puts between the groups."""
    return re.compile(r"\s".join(re.escape(p) for p in text.split(" ")))


def row_of(page, invoice):
    return page.get_by_role("row").filter(has_text=invoice.number).first


def row_screenshots(page, row, name):
    """The window with the split row at its top, at 1280 and 390 px: a full-page picture
    would put the sticky «ОПЛАТИТЬ» bar over the rows."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        # Instantly (the layout scrolls smoothly), with the table's header above the row.
        row.evaluate(
            "el => window.scrollTo({top: el.getBoundingClientRect().top + window.scrollY - 140,"
            " behavior: 'instant'})"
        )
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def pay_next_part(page, invoice, amount: str):
    page.get_by_label(f"Выбрать счёт {invoice.number}").check()
    pay = page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))
    expect(pay).to_have_text(rub(f"ОПЛАТИТЬ {amount} ₽"))
    pay.click()
    expect(page.get_by_text("Тестовая касса")).to_be_visible()
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()


def test_split_into_three_and_pay_part_by_part_in_the_sandbox(live_server, page, demo, screenshot):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    small = invoice_of(demo["ivanov"], "2999.99", formed_days_ago=9)
    invoice = invoice_of(demo["ivanov"], "3000.01")  # the newest: the top row
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    expect(row_of(page, small).get_by_role("link", name="Оплатить частями")).to_have_count(0)
    row_screenshots(page, row_of(page, invoice), "instalments-link")
    row_of(page, invoice).get_by_role("link", name="Оплатить частями").click()

    expect(page.get_by_role("heading", name="Оплатить частями")).to_be_visible()
    three = page.get_by_role("table", name="График: 3 части")
    expect(three).to_contain_text(rub("1 000,01 ₽"))
    page.get_by_label("3 части").check()
    screenshot(page, "instalments-form")
    page.get_by_role("button", name="Подтвердить график").click()

    expect(page.get_by_text(f"Счёт {invoice.number} разбит на 3 части")).to_be_visible()
    dates = [
        d.strftime("%d.%m.%Y")
        for d in InstalmentPart.objects.order_by("number").values_list("due_date", flat=True)
    ]
    row = row_of(page, invoice)
    expect(row).to_contain_text("Часть 1 из 3")
    expect(row).to_contain_text(dates[0])
    expect(row.get_by_role("link", name="Оплатить частями")).to_have_count(0)

    pay_next_part(page, invoice, "1 000,00")
    row = row_of(page, invoice)
    expect(row.locator(".c-payable")).to_contain_text(rub("2 000,01 ₽"))
    expect(row).to_contain_text("Часть 2 из 3")
    expect(row).to_contain_text(dates[1])
    expect(row.get_by_text("НОВЫЙ", exact=True)).to_be_visible()
    row_screenshots(page, row, "instalments-row")

    pay_next_part(page, invoice, "1 000,00")
    row = row_of(page, invoice)
    expect(row.locator(".c-payable")).to_contain_text(rub("1 000,01 ₽"))
    expect(row).to_contain_text("Часть 3 из 3")
    expect(row.get_by_text("ОПЛАЧЕН", exact=True)).to_have_count(0)

    pay_next_part(page, invoice, "1 000,01")
    row = row_of(page, invoice)
    expect(row.get_by_text("ОПЛАЧЕН", exact=True)).to_be_visible()
    expect(page.get_by_label(f"Выбрать счёт {invoice.number}")).to_be_disabled()
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID

    # The details window keeps the schedule, every part paid.
    row.get_by_role("link", name=f"Счёт {invoice.number}").click()
    modal = page.get_by_role("dialog")
    parts = modal.get_by_role("table", name=f"Части счёта {invoice.number}")
    expect(parts.get_by_text("Оплачена")).to_have_count(3)
