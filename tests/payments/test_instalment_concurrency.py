"""«Оплатить частями» under real row locks (PostgreSQL): two submits of the split form at
once, two tabs paying the next part, and a part's notification racing the user's return."""

from decimal import Decimal

import pytest

from audit.models import AuditEntry
from invoices.errors import InvoiceStateError
from invoices.models import InstalmentPart, InstalmentPlan, Invoice
from payments import services
from payments.errors import PaymentError
from payments.models import Payment, SandboxCheckout

from .instalments import invoice_of, split
from .test_concurrency import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(3))
def test_two_submits_at_once_make_one_schedule(postgres, demo, owner, attempt):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    results = run_together(lambda: split(invoice, owner, 3), lambda: split(invoice, owner, 2))
    plans = [r for r in results if isinstance(r, InstalmentPlan)]
    errors = [r for r in results if isinstance(r, InvoiceStateError)]
    assert len(plans) == 1 and len(errors) == 1, results
    assert InstalmentPlan.objects.filter(invoice=invoice).count() == 1
    assert InstalmentPart.objects.filter(invoice=invoice).count() == plans[0].parts_count


def test_two_tabs_paying_the_next_part_make_one_payment(postgres, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner)
    results = run_together(
        *[lambda: services.payment_start(user=owner, invoice_ids=[invoice.pk])] * 2
    )
    assert sum(isinstance(r, Payment) for r in results) == 1, results
    assert sum(isinstance(r, PaymentError) for r in results) == 1, results
    assert Payment.objects.get().amount == Decimal("2000.00")


def test_a_parts_notification_and_the_return_at_once_settle_it_once(postgres, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    payment = services.payment_start(user=owner, invoice_ids=[invoice.pk])
    payment = services.payment_checkout(payment=payment, return_url="http://testserver/r/")
    SandboxCheckout.objects.update(status=SandboxCheckout.Status.SUCCEEDED)
    results = run_together(*[lambda: services.payment_sync(payment_id=payment.pk)] * 4)
    assert all(isinstance(r, Payment) for r in results), results
    assert AuditEntry.objects.filter(action="invoice.part_paid").count() == 1
    statuses = list(InstalmentPart.objects.order_by("number").values_list("status", flat=True))
    assert statuses == ["paid", "unpaid", "unpaid"]
    assert Invoice.objects.get(pk=invoice.pk).payable_amount() == Decimal("2000.01")
