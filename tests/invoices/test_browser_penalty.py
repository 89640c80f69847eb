"""«Неустойка» in a real browser: an overdue invoice with a penalty shows it in its row and in
the details window, the user pays it in the sandbox, and the invoice is ОПЛАЧЕН."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dms_portal import clock
from invoices.models import Invoice
from invoices.services.penalty import penalty_accrue
from payments.models import Payment
from policies.models import Contract
from tests.payments.factories import make_invoice, make_user

from .test_browser_my_invoices import log_in, modal_screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue_with_penalty(demo):
    """Иванов's invoice (co-pay 390.00) due 12 days ago, 0.1 % a day after 2 grace days:
    10 days × 0.39 = 3.90 ₽ of penalty; and a fresh invoice without any."""
    owner = make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")
    Contract.objects.filter(pk=demo["ivanov"].contract_id).update(
        penalty_enabled=True,
        penalty_rate_percent=Decimal("0.1"),
        penalty_cap_percent=Decimal("10"),
        penalty_grace_days=2,
    )
    fresh = make_invoice(demo["ivanov"], formed_days_ago=5)
    overdue = make_invoice(demo["ivanov"], status=Invoice.Status.OVERDUE, formed_days_ago=45)
    Invoice.objects.filter(pk=overdue.pk).update(
        due_date=clock.moscow_today() - dt.timedelta(days=12)
    )
    penalty_accrue()
    return owner, overdue, fresh


def test_user_sees_the_penalty_in_the_row_and_details_and_pays_it(
    live_server, page, overdue_with_penalty, screenshot
):
    owner, overdue, fresh = overdue_with_penalty
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/invoices/")
    row = page.get_by_role("row").filter(has_text=overdue.number)
    expect(row.get_by_text("ПРОСРОЧЕН", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile(r"в\s+т\.\s+ч\.\s+неустойка\s+3,90\s₽"))).to_be_visible()
    other = page.get_by_role("row").filter(has_text=fresh.number)
    expect(other.get_by_text("неустойка")).to_have_count(0)
    # The table still fits a 1280 px window: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "penalty-my-invoices")

    page.get_by_role("link", name=f"Счёт {overdue.number}").click()
    modal = page.get_by_role("dialog")
    expect(modal.get_by_role("heading", name=f"Счёт № {overdue.number}")).to_be_visible()
    expect(modal.get_by_text("Неустойка", exact=True)).to_be_visible()
    expect(modal.get_by_text("3,90 ₽", exact=True)).to_be_visible()
    expect(modal.get_by_text("393,90 ₽", exact=True)).to_be_visible()
    expect(
        modal.get_by_text(re.compile("Неустойка начислена за 10 дней просрочки"))
    ).to_be_visible()
    expect(
        modal.get_by_text(re.compile("Чтобы начисление прекратилось, оплатите счёт"))
    ).to_be_visible()
    modal_screenshots(page, "penalty-details")
    page.set_viewport_size({"width": 1280, "height": 900})
    modal.get_by_role("button", name="Закрыть").click()
    expect(modal).to_be_hidden()

    page.get_by_label(f"Выбрать счёт {overdue.number}").check()
    pay = page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))
    expect(pay).to_have_text(re.compile(r"ОПЛАТИТЬ\s393,90\s₽"))
    pay.click()
    expect(page.get_by_text("Тестовая касса")).to_be_visible()
    expect(page.get_by_text("393,90")).to_be_visible()
    page.get_by_role("button", name="Оплатить").click()

    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=overdue.number).first
    expect(row.get_by_text("ОПЛАЧЕН", exact=True)).to_be_visible()
    expect(page.get_by_label(f"Выбрать счёт {overdue.number}")).to_be_disabled()
    assert Invoice.objects.get(pk=overdue.pk).status == Invoice.Status.PAID
    payment = Payment.objects.get()
    assert payment.amount == Decimal("393.90")
    assert [i["description"] for i in payment.receipt["items"]] == [
        f"Франшиза ДМС по счёту {overdue.number}",
        f"Неустойка по счёту {overdue.number}",
    ]
    # Paid: the next night adds nothing.
    assert penalty_accrue()["days"] == 0
