"""ИТОГО К ОПЛАТЕ is defined once (`Invoice.objects.with_money`): change only its inputs — the
deposit applied at formation, then a correction — and the list, the details, the XLSX, the
PDF, the reminder and the operator call list all show the same amount."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from debts.selectors import call_list
from debts.services.reminders import reminders_send
from dms_portal.money import format_rub
from invoices.models import Invoice, InvoiceCorrection
from invoices.money import formation_amounts
from invoices.services import pdf
from notifications.models import Message

from .conftest import moscow

TODAY = dt.date(2026, 6, 10)
DUE = TODAY - dt.timedelta(days=7)  # an «overdue» reminder is due today, another in a week


@pytest.fixture
def childs_invoice(people, make_invoice):
    """The child's invoice (Иванов pays it): co-pay 300, 50 of it covered by the deposit."""
    applied, amount_due = formation_amounts(
        copay=Decimal("300.00"), deposit_balance=Decimal("50.00")
    )
    invoice = make_invoice(people["child"], due=DUE, amount="300.00", status="overdue")
    Invoice.objects.filter(pk=invoice.pk).update(deposit_applied=applied, amount_due=amount_due)
    return invoice


def _everywhere(client, invoice: Invoice, today: dt.date, monkeypatch) -> dict[str, str]:
    """The amount due of `invoice` as each place shows it (formatted as on screen)."""
    seen = {}
    page = client.get(reverse("invoices:my_invoices")).content.decode()
    row = re.search(
        rf'<tr class="status-\w+"[^>]*>(?:(?!</tr>).)*?{re.escape(invoice.number)}.*?</tr>',
        page,
        re.S,
    )
    seen["list"] = re.search(r'data-label="ИТОГО К ОПЛАТЕ"[^>]*>([^<]+)<', row.group(0)).group(1)
    details = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    seen["details"] = re.search(r"ИТОГО К ОПЛАТЕ</dt><dd[^>]*>([^<]+)<", details).group(1)
    xlsx = b"".join(client.get(reverse("invoices:xlsx", args=[invoice.pk])).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))["Счета"]
    seen["xlsx"] = format_rub(Decimal(str(sheet.cell(row=2, column=9).value)))
    rendered = []
    real_render = pdf.render_to_string
    monkeypatch.setattr(
        pdf,
        "render_to_string",
        lambda name, context: rendered.append(context["payable"]) or real_render(name, context),
    )
    pdf.invoice_pdf_render(invoice=invoice)
    seen["pdf"] = format_rub(rendered[-1])
    with time_machine.travel(moscow(today, 10), tick=False):
        before = set(Message.objects.values_list("pk", flat=True))
        reminders_send(today=today)
    sms = Message.objects.exclude(pk__in=before).get(channel="sms")
    seen["reminder"] = re.search(r"на (.+?₽)", sms.body).group(1)
    (payer,) = call_list()
    seen["call list"] = format_rub(payer.debt)
    # An SMS body folds the non-breaking spaces of the amount into plain ones.
    return {place: " ".join(text.split()) for place, text in seen.items()}


def test_list_details_xlsx_pdf_reminder_and_call_list_agree(
    client, people, childs_invoice, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["user"])
    expected = "250,00 ₽"  # 300 co-pay − 50 deposit
    assert set(_everywhere(client, childs_invoice, TODAY, monkeypatch).values()) == {expected}

    InvoiceCorrection.objects.create(
        invoice=childs_invoice,
        number="К-1",
        created_at=moscow(TODAY),
        reason="Услуга не оказывалась",
        amount=Decimal("40.00"),
    )
    next_week = TODAY + dt.timedelta(days=7)
    seen = _everywhere(client, childs_invoice, next_week, monkeypatch)
    assert set(seen.values()) == {"210,00 ₽"}, seen


def test_payable_never_goes_below_zero_and_owing_excludes_it(people, make_invoice):
    invoice = make_invoice(people["ivanov"], due=DUE, amount="30.00")
    InvoiceCorrection.objects.create(
        invoice=invoice, number="К-2", created_at=moscow(TODAY), reason="x", amount="30.00"
    )
    assert Invoice.objects.get(pk=invoice.pk).payable_amount() == Decimal("0.00")
    assert Invoice.objects.with_money().get(pk=invoice.pk).payable == Decimal("0.00")
    assert not Invoice.objects.filter(pk=invoice.pk).owing().exists()


def test_formation_amounts_never_apply_more_than_the_copay_or_a_negative_balance():
    assert formation_amounts(copay=Decimal("80.00"), deposit_balance=Decimal("100.00")) == (
        Decimal("80.00"),
        Decimal("0.00"),
    )
    assert formation_amounts(copay=Decimal("80.00"), deposit_balance=Decimal("-5.00")) == (
        Decimal("0.00"),
        Decimal("80.00"),
    )
