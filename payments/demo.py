"""Demo data of payments (SPEC §4): the demo's paid invoice is paid by a bank transfer entered
as an operator would, so the payment shows in «История платежей»."""

from invoices.demo import PAID_REFERENCE, paid_demo_invoice

from .services.bank import bank_transfer_record


def seed_payments() -> None:
    """Idempotent: once the invoice is paid there is nothing to find, and the transfer's
    reference is recorded once."""
    found = paid_demo_invoice()
    if found is None:
        return
    invoice, received = found
    bank_transfer_record(
        amount=invoice.payable_amount(),
        received_on=received,
        reference=PAID_REFERENCE,
        invoice_ids=[invoice.pk],
        actor=None,
    )
