"""Issue #12 in a real browser: paid-then-disputed reads ОПЛАЧЕН + «спор»; an accepted partial
dispute adds up in the table, the details and the XLSX; paying the overdue invoice shows the
restored programme at once; «Мои счета» has no sideways scroll at 1280 / 1366 px."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from debts.services.overdue import overdue_apply
from dms_portal import clock
from dms_portal.money import format_rub
from feedback import services as feedback
from feedback.models import Appeal
from invoices.models import Invoice
from tests.conftest import ARTIFACTS
from tests.feedback.factories import make_user as make_staff
from tests.invoices.test_browser_my_invoices import log_in, modal_screenshots
from tests.payments.factories import make_invoice, make_invoices, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Invoice.Status
LINES = (("Приём терапевта", "2000.00"), ("Анализ крови", "1334.00"))


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")


def _dispute(owner, invoice):
    return feedback.appeal_create(
        user=owner,
        person=invoice.person,
        kind=Appeal.Kind.SERVICE_DISPUTE,
        text="Не был на приёме",
        invoice=invoice,
        line_ids=[invoice.lines.first().pk],
        reason=Appeal.Reason.NOT_RENDERED,
    )


def _row(page, number):
    return page.locator("tbody tr").filter(has_text=number)


def test_paid_then_disputed_reads_paid_and_dispute(live_server, page, demo, owner, screenshot):
    paid = make_invoice(demo["ivanov"], status=S.PAID, lines=LINES)
    make_invoice(demo["ivanov"], lines=LINES)
    appeal = _dispute(owner, paid)
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/invoices/")
    row = _row(page, paid.number)
    expect(row.get_by_text("ОПЛАЧЕН", exact=True)).to_be_visible()
    expect(row.get_by_text("спор", exact=True)).to_be_visible()
    expect(page.get_by_label(f"Выбрать счёт {paid.number}")).to_be_disabled()
    screenshot(page, "issue12-my-invoices-dispute-mark")
    page.set_viewport_size({"width": 390, "height": 800})
    expect(row.get_by_text("спор", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=f"Счёт {paid.number}").click()
    modal = page.get_by_role("dialog")
    expect(modal.get_by_text("спор", exact=True)).to_be_visible()
    expect(modal.get_by_text("ОПЛАЧЕН", exact=True)).to_be_visible()
    page.goto(live_server.url + f"/feedback/appeals/{appeal.pk}/")
    expect(page.get_by_text("Итого к оплате")).to_have_count(0)
    expect(page.get_by_text("спор", exact=True)).to_be_visible()
    screenshot(page, "issue12-feedback-detail-paid")


def test_accepted_partial_dispute_adds_up(live_server, page, demo, owner, screenshot):
    invoice = make_invoice(demo["ivanov"], lines=LINES)
    appeal = _dispute(owner, invoice)
    expert = make_staff(phone="+79995550001", staff=True, superuser=True)
    feedback.appeal_accept(appeal_id=appeal.pk, answer="Снято", by=expert)
    money = Invoice.objects.with_money().get(pk=invoice.pk)
    assert 0 < money.payable == money.copay_total - money.deposit_applied - money.corrections_total
    log_in(page, live_server, owner)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/invoices/")
    row = _row(page, invoice.number)
    for label, value in (
        ("СУММА СООПЛАТЫ", money.copay_total),
        ("Гарантийный взнос", money.deposit_applied),
        ("Корректировка", money.corrections_total),
        ("ИТОГО К ОПЛАТЕ", money.payable),
    ):
        expect(row.locator(f'td[data-label="{label}"]')).to_have_text(format_rub(value))
    screenshot(page, "issue12-my-invoices-correction")
    page.get_by_role("link", name=f"Счёт {invoice.number}").click()
    modal = page.get_by_role("dialog")
    totals = modal.locator(".invoice-totals")
    expect(totals).to_contain_text(
        re.compile(r"Корректировка\s*" + format_rub(money.corrections_total))
    )
    expect(totals).to_contain_text(re.compile(r"ИТОГО К ОПЛАТЕ\s*" + format_rub(money.payable)))
    modal_screenshots(page, "issue12-details-correction")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as info:
        modal.get_by_role("link", name="Файл").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))["Счета"]
    head = [c.value for c in sheet[1]]
    cells = dict(zip(head, [c.value for c in sheet[2]], strict=True))

    def kop(name):
        return Decimal(str(cells[name])).quantize(Decimal("0.01"))

    assert kop("Корректировка") == money.corrections_total
    assert kop("СУММА СООПЛАТЫ") - kop("Гарантийный взнос") - kop("Корректировка") == kop(
        "ИТОГО К ОПЛАТЕ"
    )


def test_paying_the_overdue_invoice_restores_the_programme_at_once(
    live_server, page, demo, owner, screenshot
):
    invoice = make_invoice(demo["ivanov"], lines=LINES, due_in_days=-5)
    overdue_apply(today=clock.moscow_today())
    log_in(page, live_server, owner)
    page.goto(live_server.url + "/policies/")
    expect(
        page.get_by_text("Действует только экстренная помощь через медицинский пульт")
    ).to_be_visible()
    page.goto(live_server.url + "/invoices/")
    page.get_by_label(f"Выбрать счёт {invoice.number}").check()
    page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ")).click()
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_text("Оплата прошла успешно")).to_be_visible()
    # Nothing left to pay: the pay bar is gone.
    expect(page.get_by_role("button", name=re.compile("^ОПЛАТИТЬ"))).to_have_count(0)
    page.goto(live_server.url + "/policies/")
    expect(page.get_by_text("Оплата получена, программа восстановлена")).to_be_visible()
    expect(page.get_by_text("не оплачены просроченные счета")).to_have_count(0)
    screenshot(page, "issue12-policies-restored")


OVERFLOW = """() => {
  const table = document.querySelector('.my-invoices-table');
  const out = [];
  for (let el = table.parentElement; el; el = el.parentElement) {
    out.push([el.className || el.tagName, el.scrollWidth, el.clientWidth]);
  }
  const last = table.querySelector('tbody tr td:last-child').getBoundingClientRect();
  out.push(['last-cell-right', Math.ceil(last.right), document.documentElement.clientWidth]);
  return out;
}"""


def test_my_invoices_fit_1280_and_1366_with_five_digit_amounts(
    live_server, page, demo, owner, screenshot
):
    make_invoice(demo["ivanov"], lines=(("Операция", "123456.80"), ("Наркоз", "2345.60")))
    child = make_invoice(demo["ivanova"], lines=LINES, deposit=Decimal("100.00"))
    assert child.amount_due > 0
    log_in(page, live_server, owner)
    for width in (1280, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/invoices/")
        expect(page.get_by_text(re.compile(r"\d\d\s\d{3},\d\d\s₽")).first).to_be_visible()
        for name, scroll, client in page.evaluate(OVERFLOW):
            assert scroll <= client, (width, name, scroll, client)
    screenshot(page, "issue12-my-invoices")
    make_invoices(demo["ivanov"], 8, lines=LINES)  # a list longer than the phone's screen
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/invoices/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    bar = page.locator(".my-invoices-paybar")
    # Into the list, past the page's explanations (the bar cannot rise above its form's top).
    page.locator("input.js-pick").first.scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    box = bar.bounding_box()
    assert box and box["y"] + box["height"] <= 800 + 1  # in sight at the bottom
    # A row focused from the keyboard is never under the bar.
    page.evaluate("window.scrollTo(0, 0)")
    for index in (3, 6, 9):
        pick = page.locator("input.js-pick").nth(index)
        pick.focus()
        page.wait_for_timeout(700)  # Bootstrap scrolls smoothly
        bottom = pick.evaluate("el => el.closest('tr').getBoundingClientRect().bottom")
        assert bottom <= bar.bounding_box()["y"] + 1, (index, bottom, bar.bounding_box())
    # What the phone shows (not a full-page capture): the bar at the bottom, the row above it.
    page.screenshot(path=str(ARTIFACTS / "issue12-my-invoices-phone-focus-390.png"))
