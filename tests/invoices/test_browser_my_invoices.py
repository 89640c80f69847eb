"""«Мои счета» in a real browser: select two invoices, pay in the sandbox, see them paid;
open the details modal and download the XLSX."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import expect

from invoices.models import Invoice
from payments.models import PaymentEvent
from tests.conftest import ARTIFACTS
from tests.payments.factories import make_invoice, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    """The session of a force-logged-in test client, handed to the browser."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def family(demo):
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    paid = make_invoice(demo["ivanov"], status=Invoice.Status.PAID, formed_days_ago=40)
    mine = make_invoice(demo["ivanov"], formed_days_ago=8)
    child = make_invoice(
        demo["ivanova"], lines=(("Приём педиатра", "2500.00"),), deposit=Decimal("100.00")
    )
    return owner, mine, child, paid


def test_pay_two_new_invoices_in_the_sandbox(live_server, page, family, screenshot):
    owner, mine, child, paid = family
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    expect(page.get_by_role("heading", name="Мои счета")).to_be_visible()
    pay = page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))
    expect(pay).to_be_disabled()
    expect(page.get_by_label(f"Выбрать счёт {paid.number}")).to_be_disabled()

    page.get_by_label(f"Выбрать счёт {mine.number}").check()
    expect(pay).to_have_text(re.compile(r"ОПЛАТИТЬ\s390,00\s₽"))
    page.get_by_label(f"Выбрать счёт {child.number}").check()
    # 390.00 + (500.00 co-pay − 100.00 deposit)
    expect(pay).to_have_text(re.compile(r"ОПЛАТИТЬ\s790,00\s₽"))
    pay.click()

    expect(page.get_by_text("Тестовая касса")).to_be_visible()
    expect(page.get_by_text("790,00")).to_be_visible()
    screenshot(page, "payments-sandbox-checkout")
    page.get_by_role("button", name="Оплатить").click()

    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()
    for invoice in (mine, child):
        expect(page.get_by_label(f"Выбрать счёт {invoice.number}")).to_be_disabled()
        row = page.get_by_role("row").filter(has_text=invoice.number).first
        expect(row.get_by_text("ОПЛАЧЕН", exact=True)).to_be_visible()
    history = page.get_by_role("region", name="История платежей")
    expect(history.get_by_role("link", name="Кассовый чек")).to_be_visible()
    expect(history.get_by_text("790,00")).to_be_visible()
    # The sandbox told our endpoint over HTTP, as a real provider does.
    event = PaymentEvent.objects.get(source="notification")
    assert event.state == "processed" and event.remote_ip in ("127.0.0.1", "::1")
    assert set(
        Invoice.objects.filter(pk__in=[mine.pk, child.pk]).values_list("status", flat=True)
    ) == {"paid"}


def modal_screenshots(page, name):
    """What the user sees with the modal open (the window, not the whole long page behind it),
    at 1280 and 390 px; saved beside the `screenshot` fixture's files."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # the modal re-lays out (full screen below 768 px)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))


def test_details_modal_lists_lines_and_downloads_the_xlsx(live_server, page, family, screenshot):
    owner, mine, child, paid = family
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/invoices/")
    page.get_by_label(f"Выбрать счёт {mine.number}").check()
    screenshot(page, "my-invoices")
    page.get_by_role("link", name=f"Счёт {mine.number}").click()
    modal = page.get_by_role("dialog")
    expect(modal).to_be_visible()
    expect(modal.get_by_role("heading", name=f"Счёт № {mine.number}")).to_be_visible()
    lines = modal.get_by_role("table").get_by_role("row")
    expect(lines).to_have_count(3)  # header + two services
    expect(modal.get_by_text("Приём врача-терапевта первичный")).to_be_visible()
    expect(modal.get_by_text("Общий анализ крови")).to_be_visible()
    expect(modal.get_by_role("link", name="Несогласие с услугой")).to_have_attribute(
        "href", f"/feedback/?invoice={mine.pk}&kind=service_dispute"
    )
    modal_screenshots(page, "my-invoices-modal")

    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download_info:
        modal.get_by_role("link", name="Файл").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    services = [[c.value for c in r] for r in wb["Услуги"].iter_rows(min_row=2)]
    assert [(r[3], r[4], r[5], r[6]) for r in services[:-1]] == [
        (line.service_name, line.quantity, line.cost, line.copay) for line in mine.lines.all()
    ]
    assert services[-1][0] == "Итого" and services[-1][6] == Decimal("390.00")
    invoice_row = [c.value for c in wb["Счета"][2]]
    assert invoice_row[0] == mine.number and invoice_row[8] == Decimal("390.00")

    modal.get_by_role("button", name="Закрыть").click()
    expect(modal).to_be_hidden()
    with page.expect_download() as all_info:
        page.get_by_role("link", name="Выгрузить все счета").click()
    wb = load_workbook(io.BytesIO(Path(all_info.value.path()).read_bytes()))
    numbers = {r[0].value for r in wb["Счета"].iter_rows(min_row=2)} - {"Итого"}
    assert numbers == {mine.number, child.number, paid.number}


def test_disabled_box_says_why_on_tap(live_server, page, family):
    owner, mine, child, paid = family
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/invoices/")
    expect(page.locator(f"#why-{paid.pk}")).to_have_text("Счёт уже оплачен")
    expect(page.locator(f"#why-{paid.pk}")).to_be_visible()
    # On a wide screen the reason is a tooltip, on hover as on keyboard focus.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(f"#why-{paid.pk}")).to_be_hidden()
    page.locator(".pick-disabled").first.hover()
    expect(page.get_by_role("tooltip")).to_have_text("Счёт уже оплачен")
