"""The printable invoice («Счёт»): rendered by WeasyPrint on first request and kept.

The invoice run renders nothing (100,000 PDFs would take hours); the first download renders the
file and stores it in Invoice.pdf, later downloads return the stored bytes. The stored file is
a rendering of the issued invoice, not an edit of it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from ..exports import parts_paid_term
from ..models import Invoice
from .penalty import penalty_explained


def invoice_pdf_filename(invoice: Invoice) -> str:
    """The stored name carries the number of corrections and of penalty ledger rows rendered
    into it: a correction made after the first download (an accepted dispute) or a day of
    «Неустойка» accrued since makes the kept file stale, and the name tells so without
    another field."""
    corrections = invoice.corrections.count()
    penalty_rows = invoice.penalty_entries.count()
    name = f"schet-{invoice.number.replace('/', '-')}-k{corrections}-n{penalty_rows}"
    # The same for instalments paid (SPEC §3.8), which change ИТОГО К ОПЛАТЕ while unpaid.
    paid_parts = invoice.instalment_parts.filter(status="paid").count()
    if paid_parts and invoice.status != Invoice.Status.PAID:
        name += f"-p{paid_parts}"
    return f"{name}.pdf"


def _fresh(invoice: Invoice) -> bool:
    if not invoice.pdf:
        return False
    stem = invoice.pdf.name.rsplit("/", 1)[-1].removesuffix(".pdf")
    expected = invoice_pdf_filename(invoice)[:-4]
    # The storage may add «_abc1234» to a name taken before; «-n1» must not match «-n12», and
    # «-p1» after the name is another state.
    same = stem == expected or stem.startswith(expected + "_")
    return same and invoice.pdf.storage.exists(invoice.pdf.name)


def invoice_pdf(*, invoice: Invoice) -> bytes:
    """The PDF of `invoice` (rendered once, then served from storage)."""
    if _fresh(invoice):
        with invoice.pdf.open("rb") as fh:
            return fh.read()
    with transaction.atomic():
        # One renderer per invoice: a second request waits here and then finds the file.
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if _fresh(locked):
            with locked.pdf.open("rb") as fh:
                return fh.read()
        data = invoice_pdf_render(invoice=locked)
        locked.pdf.save(invoice_pdf_filename(locked), ContentFile(data), save=False)
        locked.save(update_fields=["pdf"])
    invoice.pdf = locked.pdf
    return data


def invoice_pdf_render(*, invoice: Invoice) -> bytes:
    from weasyprint import HTML

    invoice = (
        Invoice.objects.select_related("person", "payer", "contract__employer")
        .prefetch_related("lines", "corrections")  # listed; the total is `payable`
        .with_money()
        .get(pk=invoice.pk)
    )
    html = render_to_string(
        "invoices/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "insurer": settings.INSURER,
            "purpose": (
                f"Оплата франшизы по договору ДМС {invoice.contract.number}, "
                f"счёт № {invoice.number}, полис {invoice.person.policy_number}, "
                f"{invoice.person.full_name}"
                f"{', включая неустойку' if invoice.penalty_total > 0 else ''}. Без НДС"
            ),
            "payable": invoice.payable_amount(),
            "penalty": penalty_explained(invoice)
            if invoice.contract.penalty_enabled or invoice.penalty_total
            else None,
            "parts_paid": parts_paid_term(invoice),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
