"""«Мои счета»: the list with its filters, the details of one invoice, the exports and PDF.

Paying is the payments app's job: the page's form posts the chosen ids to `payments:start`.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dms_portal import clock
from policies.selectors import people_for_user

from . import presentation, selectors
from .exports import invoices_xlsx
from .forms import MyInvoicesFilterForm
from .models import Invoice
from .services import deposit, pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def my_invoices(request):
    people = list(people_for_user(request.user))
    person_ids = [p.pk for p in people]
    form = MyInvoicesFilterForm(request.GET or None, people=people)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.invoice_rows_for_user(
        request.user,
        person_ids=person_ids,
        status=filters.get("status") or "",
        person_id=filters.get("person") or None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    rows_html, count = presentation.rows_html(rows)
    balances = deposit.balances_for(person_ids=person_ids)
    deposits = [(p, balances[p.pk]) for p in people if p.pk in balances]
    own = people[0] if people else None
    return render(
        request,
        "invoices/my_invoices.html",
        {
            "rows_html": rows_html,
            "count": count,
            "form": form,
            "current": filters,
            "status_choices": form.fields["status"].choices,
            "filtered": bool(filters and any(filters.values())),
            "people": people,
            "person_ids": person_ids,
            "term": presentation.payment_term_text(own.contract) if own else "",
            "deposits": deposits,
            "dispute_url": reverse("feedback:index"),
        },
    )


def _get_invoice_for_user(request, pk) -> Invoice:
    try:
        return selectors.invoice_for_user(request.user, pk)
    except Invoice.DoesNotExist as exc:
        raise Http404 from exc


def _detail_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "row": presentation.invoice_row(invoice),
        "lines": lines,
        "corrections": list(invoice.corrections.all()),
        "cost_total": sum((line.cost for line in lines), Decimal("0.00")),
        "dispute_url": f"{reverse('feedback:index')}?invoice={invoice.pk}&kind=service_dispute",
    }


@login_required
@require_GET
def invoice_detail(request, pk: int):
    """The details of one invoice: a page of its own, or (fetched by the page's script) the
    body of the modal window."""
    invoice = _get_invoice_for_user(request, pk)
    template = (
        "invoices/my_invoices_detail_body.html"
        if request.GET.get("partial")
        else "invoices/my_invoices_detail.html"
    )
    return render(request, template, _detail_context(invoice))


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invoice_xlsx(request, pk: int):
    invoice = _get_invoice_for_user(request, pk)
    name = f"schet-{invoice.number.replace('/', '-')}.xlsx"
    return _xlsx_response(invoices_xlsx([invoice]), name)


@login_required
@require_GET
def invoices_export(request):
    invoices = selectors.invoices_with_lines_for_user(request.user)
    name = f"scheta-{clock.moscow_today():%Y-%m-%d}.xlsx"
    return _xlsx_response(invoices_xlsx(invoices), name)


@login_required
@require_GET
def invoice_pdf_download(request, pk: int):
    """The printable invoice, rendered by invoices.services.pdf on first request and kept."""
    invoice = _get_invoice_for_user(request, pk)
    content = pdf.invoice_pdf(invoice=invoice)
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"schet-{invoice.number.replace('/', '-')}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
