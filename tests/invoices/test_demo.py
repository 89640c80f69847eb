"""The demo seed makes exactly SPEC §4's invoices through the real services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import User
from invoices.demo import seed_invoices
from invoices.models import DepositEntry, Invoice, ServiceLine, ServiceRegistry
from invoices.services import pdf
from invoices.services.deposit import deposit_balance
from invoices.services.pdf import invoice_pdf_render
from notifications.models import Message
from payments.demo import seed_payments
from payments.models import PaymentInvoice

from .conftest import SAMPLES

pytestmark = pytest.mark.django_db

SEED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def snapshot():
    return sorted(
        Invoice.objects.values_list(
            "number",
            "person__policy_number",
            "payer__policy_number",
            "copay_total",
            "deposit_applied",
            "amount_due",
            "status",
        )
    )


def test_seed_makes_the_spec_invoices_and_is_idempotent(roster):
    with time_machine.travel(SEED_AT, tick=False):
        seed_invoices()
        seed_payments()  # seed_demo's payment step: the paid invoice's bank transfer
        first = snapshot()
        seed_invoices()
        seed_payments()
        assert snapshot() == first
    assert first == [
        (
            "2026/09/1",
            "DMS-0001",
            "DMS-0001",
            Decimal("1.00"),
            Decimal("0.00"),
            Decimal("1.00"),
            "paid",
        ),
        (
            "2026/10/1",
            "DMS-0001",
            "DMS-0001",
            Decimal("0.80"),
            Decimal("0.00"),
            Decimal("0.80"),
            "new",
        ),
        (
            "2026/10/2",
            "DMS-0002",
            "DMS-0001",
            Decimal("1.00"),
            Decimal("0.50"),
            Decimal("0.50"),
            "new",
        ),
    ]
    paid = Invoice.objects.get(number="2026/09/1")
    assert paid.paid_at is not None and paid.lines.count() == 2
    current = Invoice.objects.get(number="2026/10/1")
    assert current.lines.count() == 4
    assert current.formed_at == SEED_AT - dt.timedelta(days=7)
    assert current.due_date > dt.date(2026, 11, 20)  # not overdue
    assert deposit_balance(roster["ivanova"]) == Decimal("0.00")
    assert list(DepositEntry.objects.values_list("kind", "amount")) == [
        ("payment", Decimal("0.50")),
        ("application", Decimal("-0.50")),
    ]
    assert ServiceRegistry.objects.count() == 1
    assert ServiceLine.objects.filter(status="billed").count() == 8


def test_sample_registry_after_seed_demo(roster, capsys, settings):
    settings.DEBUG = True
    with time_machine.travel(SEED_AT, tick=False):
        call_command("seed_demo")
        capsys.readouterr()
        call_command("import_registry", str(SAMPLES / "registry_small.csv"))
        assert capsys.readouterr().out.splitlines()[-1] == "loaded=3 held=0 rejected=0 duplicates=0"
        call_command("import_registry", str(SAMPLES / "registry_small.csv"))
        assert capsys.readouterr().out.splitlines()[-1] == "loaded=0 held=0 rejected=0 duplicates=3"


def test_demo_data_agree_with_themselves(
    roster, settings, client, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue #12, item 6: the paid invoice's payment is in «История платежей», no «please pay»
    message for it, and its PDF shows no «−0,00 ₽»."""
    settings.DEBUG = True
    with time_machine.travel(SEED_AT, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    paid = Invoice.objects.get(number="2026/09/1")
    assert paid.status == "paid" and paid.paid_at.date() == dt.date(2026, 10, 8)
    link = PaymentInvoice.objects.get(invoice=paid)
    assert link.payment.status == "succeeded" and link.amount == Decimal("1.00")
    events = set(Message.objects.values_list("event", "dedupe_key"))
    assert ("invoice_ready", f"invoice_ready:{paid.pk + 1}:sms:+79990000001") in events
    assert not any(
        key.startswith(f"{event}:{paid.pk}:") and event.startswith(("invoice_ready", "reminder"))
        for event, key in events
    )
    client.force_login(User.objects.get(phone="+79990000001"))
    with time_machine.travel(SEED_AT, tick=False):
        history = client.get("/invoices/").content.decode().split("История платежей", 1)[1]
    assert "2026/09/1" in history
    seen = {}
    real = pdf.render_to_string
    monkeypatch.setattr(pdf, "render_to_string", lambda n, c: seen.update(c) or real(n, c))
    invoice_pdf_render(invoice=paid)
    assert "−0,00" not in real("invoices/invoice_pdf.html", seen)
