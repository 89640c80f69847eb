"""Annulment returns lines and deposit; the PDF is rendered once, with Cyrillic text."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest

from invoices.errors import InvoiceStateError
from invoices.models import Invoice, ServiceLine
from invoices.registry.importer import registry_import_file
from invoices.services.annul import invoice_annul
from invoices.services.deposit import deposit_balance, deposit_payment_record
from invoices.services.invoicing import invoice_run
from invoices.services.pdf import invoice_pdf
from invoices.services.status import invoice_mark_paid, invoices_hold_for_payment
from notifications.models import Message

from .conftest import line, write_registry

pytestmark = pytest.mark.django_db
NOV_25 = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)


def child(line_id, **kw):
    return line(
        line_id,
        policy="DMS-0002",
        last="Иванова",
        first="Мария",
        patronymic="Ивановна",
        birth="10.06.2015",
        **kw,
    )


@pytest.fixture
def child_invoice(roster, frozen, tmp_path):
    deposit_payment_record(person=roster["ivanova"], amount=Decimal("0.50"))
    registry_import_file(
        path=write_registry(
            tmp_path / "r.csv",
            [
                child("C-1", price="2,50"),
                child("C-2", price="2,50"),
            ],
        )
    )
    (invoice,) = invoice_run(period=(2026, 10), now=NOV_25)
    assert invoice.amount_due == Decimal("0.50")
    return invoice


def test_annul_returns_lines_to_the_pool_and_the_deposit(
    child_invoice, roster, django_capture_on_commit_callbacks
):
    from accounts.models import User

    roster["ivanov"].user = User.objects.create_user("+79990000001", "x")
    roster["ivanov"].save()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_annul(
            invoice=child_invoice,
            reason="Клиника отозвала реестр",
            lines_action="return",
            actor=None,
        )
    child_invoice.refresh_from_db()
    assert child_invoice.status == Invoice.Status.ANNULLED
    assert child_invoice.annul_reason == "Клиника отозвала реестр"
    assert set(ServiceLine.objects.values_list("status", flat=True)) == {"loaded"}
    assert deposit_balance(roster["ivanova"]) == Decimal("0.50")
    sms = Message.objects.get(event="invoice_annulled", channel="sms")
    assert child_invoice.number in sms.body and "отозвала" in sms.body
    # the returned lines are billed again by the next run, on a new invoice
    (again,) = invoice_run(period=(2026, 10), now=NOV_25)
    assert again.number == "2026/10/2" and again.lines.count() == 2
    assert again.deposit_applied == Decimal("0.50")
    # annulling twice is a no-op
    assert (
        invoice_annul(invoice=child_invoice, reason="ещё раз", lines_action="dismiss").annul_reason
        == "Клиника отозвала реестр"
    )


def test_annul_can_dismiss_lines(child_invoice):
    invoice_annul(invoice=child_invoice, reason="Услуги не оказывались", lines_action="dismiss")
    assert set(ServiceLine.objects.values_list("status", flat=True)) == {"dismissed"}
    assert invoice_run(period=(2026, 10), now=NOV_25) == []


def test_annul_refuses_without_reason_in_flight_and_paid_with_money(child_invoice):
    with pytest.raises(InvoiceStateError, match="причину"):
        invoice_annul(invoice=child_invoice, reason="  ", lines_action="return")
    invoices_hold_for_payment(invoice_ids=[child_invoice.pk], reference="pay-1")
    with pytest.raises(InvoiceStateError, match="оплата счёта уже выполняется"):
        invoice_annul(invoice=child_invoice, reason="x", lines_action="return")
    invoice_mark_paid(invoice_ids=[child_invoice.pk], paid_at=NOV_25, reference="pay-1")
    with pytest.raises(InvoiceStateError, match="возврат платежа"):
        invoice_annul(invoice=child_invoice, reason="x", lines_action="return")
    assert Invoice.objects.get(pk=child_invoice.pk).status == Invoice.Status.PAID


def test_pdf_is_rendered_once_with_cyrillic_text(child_invoice, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    data = invoice_pdf(invoice=child_invoice)
    assert data.startswith(b"%PDF")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"Счёт № {child_invoice.number}" in text
    assert "Иванова Мария Ивановна" in text  # insured
    assert "Иванов Иван Иванович" in text  # payer
    assert "Итого к оплате" in text and "0,50" in text
    assert settings.INSURER["account"] in text and settings.INSURER["bik"] in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "DejaVu" in fonts
    child_invoice.refresh_from_db()
    stored = child_invoice.pdf.name
    assert stored
    assert invoice_pdf(invoice=Invoice.objects.get(pk=child_invoice.pk)) == data
    assert Invoice.objects.get(pk=child_invoice.pk).pdf.name == stored
