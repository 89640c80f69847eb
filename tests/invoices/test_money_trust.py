"""Money a person can trust (issue #12): paid stays paid when disputed, corrections show and
add up everywhere, «ОПЛАТИТЬ» only with something to pay, Moscow dates at 23:30 UTC."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from dms_portal.money import format_rub
from feedback import services as feedback
from feedback.models import Appeal
from invoices.models import Invoice
from invoices.services import pdf
from tests.feedback.factories import make_user as make_feedback_user
from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
S = Invoice.Status
LINES = (("Приём терапевта", "2000.00"), ("Анализ крови", "1334.00"))


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], phone="+79990000001")


@pytest.fixture
def expert():
    return make_feedback_user(phone="+79995550001", staff=True, superuser=True)


def _dispute(owner, invoice, line):
    return feedback.appeal_create(
        user=owner,
        person=invoice.person,
        kind=Appeal.Kind.SERVICE_DISPUTE,
        text="Не был на приёме",
        invoice=invoice,
        line_ids=[line.pk],
        reason=Appeal.Reason.NOT_RENDERED,
    )


def _row(html: str, number: str) -> str:
    return re.search(rf"<tr [^>]*>(?:(?!</tr>).)*?{re.escape(number)}.*?</tr>", html, re.S)[0]


def _cell(row: str, label: str) -> str:
    return re.search(rf'data-label="{label}"[^>]*>(.*?)</td>', row, re.S)[1]


def test_a_paid_invoice_disputed_stays_paid_with_the_dispute_mark(client, demo, owner):
    invoice = make_invoice(demo["ivanov"], status=S.PAID, lines=LINES)
    appeal = _dispute(owner, invoice, invoice.lines.first())
    invoice.refresh_from_db()
    assert invoice.status == S.PAID and invoice.due_paused_at is None

    client.force_login(owner)
    row = _row(client.get(reverse("invoices:my_invoices")).content.decode(), invoice.number)
    status = _cell(row, "СТАТУС")
    assert "ОПЛАЧЕН" in status and ">спор<" in status and "ОСПАРИВАЕТСЯ" not in status
    assert "disabled" in _cell(row, "ВЫБРАТЬ") and "js-pick" not in row
    details = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    assert "ОПЛАЧЕН" in details and ">спор<" in details and "приостановлен" not in details
    page = client.get(reverse("feedback:detail", args=[appeal.pk])).content.decode()
    assert "Итого к оплате" not in page and "приостановлен" not in page
    assert "ОПЛАЧЕН" in page and ">спор<" in page
    # Nothing to pay on the page: no «ОПЛАТИТЬ» button at all.
    assert 'id="pay-button"' not in client.get(reverse("invoices:my_invoices")).content.decode()


def test_the_mark_goes_when_the_dispute_is_decided(client, demo, owner, expert):
    invoice = make_invoice(demo["ivanov"], status=S.PAID, lines=LINES)
    appeal = _dispute(owner, invoice, invoice.lines.first())
    feedback.appeal_reject(appeal_id=appeal.pk, answer="Услуга оказана", by=expert)
    invoice.refresh_from_db()
    assert invoice.status == S.PAID
    assert not Invoice.objects.with_dispute_mark().get(pk=invoice.pk).in_dispute
    client.force_login(owner)
    row = _row(client.get(reverse("invoices:my_invoices")).content.decode(), invoice.number)
    assert "спор" not in row


def test_an_unpaid_invoice_still_turns_disputed(demo, owner):
    invoice = make_invoice(demo["ivanov"], lines=LINES)
    _dispute(owner, invoice, invoice.lines.first())
    invoice.refresh_from_db()
    assert invoice.status == S.DISPUTED and invoice.due_paused_at is not None


def _xlsx_row(response, number):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Счета"]
    header = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2, values_only=True):
        if cells[0] == number:
            # Money cells read back as floats: compare them as kopecks.
            return {
                h: Decimal(str(v)).quantize(Decimal("0.01")) if isinstance(v, float | int) else v
                for h, v in zip(header, cells, strict=True)
            }
    raise AssertionError(number)


def test_an_accepted_partial_dispute_adds_up_everywhere(client, demo, owner, expert, monkeypatch):
    invoice = make_invoice(demo["ivanov"], lines=LINES)
    line = invoice.lines.first()
    appeal = _dispute(owner, invoice, line)
    feedback.appeal_accept(appeal_id=appeal.pk, answer="Снято частично", by=expert)
    invoice = Invoice.objects.with_money().get(pk=invoice.pk)
    copay, deposit = invoice.copay_total, invoice.deposit_applied
    correction, payable = invoice.corrections_total, invoice.payable
    assert correction == line.copay > 0
    assert payable == copay - deposit - correction > 0

    client.force_login(owner)
    html = client.get(reverse("invoices:my_invoices")).content.decode()
    assert "СУММА СООПЛАТЫ − Гарантийный взнос − Корректировка" in html
    row = _row(html, invoice.number)
    assert [_cell(row, label) for label in ("СУММА СООПЛАТЫ", "Гарантийный взнос")] == [
        format_rub(copay),
        format_rub(deposit),
    ]
    assert _cell(row, "Корректировка") == format_rub(correction)
    assert _cell(row, "ИТОГО К ОПЛАТЕ") == format_rub(payable)

    details = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    for label, value in (
        ("СУММА СООПЛАТЫ", copay),
        ("Гарантийный взнос", deposit),
        ("Корректировка", correction),
        ("ИТОГО К ОПЛАТЕ", payable),
    ):
        assert re.search(rf"{label}</dt><dd[^>]*>([^<]+)<", details)[1] == format_rub(value)

    for response in (
        client.get(reverse("invoices:xlsx", args=[invoice.pk])),
        client.get(reverse("invoices:export_xlsx")),
    ):
        cells = _xlsx_row(response, invoice.number)
        assert cells["Корректировка"] == correction
        assert (
            cells["СУММА СООПЛАТЫ"] - cells["Гарантийный взнос"] - cells["Корректировка"]
            == cells["ИТОГО К ОПЛАТЕ"]
            == payable
        )

    seen = {}
    real = pdf.render_to_string
    monkeypatch.setattr(
        pdf, "render_to_string", lambda name, ctx: seen.update(ctx) or real(name, ctx)
    )
    pdf.invoice_pdf_render(invoice=invoice)
    html = real("invoices/invoice_pdf.html", seen)
    assert f"−{format_rub(correction)}" in html and format_rub(payable) in html
    assert "−0,00" not in html  # no deposit here: no minus before zero


def test_dates_are_moscow_dates_at_23_30_utc(client, demo, owner):
    # 23:30 UTC on 22.11.2026 is 02:30 on 23.11.2026 in Moscow.
    with time_machine.travel(dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC), tick=False):
        invoice = make_invoice(demo["ivanov"], formed_days_ago=0, lines=LINES)
        Invoice.objects.filter(pk=invoice.pk).update(
            formed_at=dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
        )
        client.force_login(owner)
        form = client.get(reverse("feedback:index") + "?kind=service_dispute").content.decode()
        page = client.get(reverse("invoices:my_invoices")).content.decode()
    assert f"Счёт {invoice.number} от 23.11.2026" in form
    assert "от 22.11.2026" not in form
    assert _cell(_row(page, invoice.number), "ДАТА ФОРМИРОВАНИЯ") == "23.11.2026"
    moment = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    rendered = Template("{% load portal_tags %}{{ m|ddmmyyyy }}").render(Context({"m": moment}))
    assert rendered == "23.11.2026"
