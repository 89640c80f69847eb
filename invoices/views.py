"""«Мои счета»: the list with its filters, the details of one invoice, the exports and PDF.

Paying is the payments app's job: the page's form posts the chosen ids to `payments:start`.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audit.services import read_access_log
from dms_portal import clock, pagecache
from policies.selectors import people_for_user

from . import presentation, selectors
from .exports import invoices_xlsx
from .forms import MyInvoicesFilterForm
from .instalments.selectors import plan_parts, split_refusal
from .models import Invoice
from .services import deposit, pdf
from .services.penalty import penalty_explained, penalty_terms
from .upcoming import invoice_line_flags
from .upcoming_views import not_me_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LINES_PER_PAGE = 100


@login_required
@require_GET
@pagecache.per_session
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
            "has_payable": presentation.has_payable(rows),
            "form": form,
            "current": filters,
            "status_choices": form.fields["status"].choices,
            "filtered": bool(filters and any(filters.values())),
            "people": people,
            "person_ids": person_ids,
            "term": presentation.payment_term_text(own.contract) if own else "",
            "penalty_terms": penalty_terms(own.contract) if own else None,
            "deposits": deposits,
            "dispute_url": reverse("feedback:index"),
        },
    )


def _get_invoice_for_user(request, pk, *, lines=True) -> Invoice:
    try:
        if lines:
            return selectors.invoice_for_user(request.user, pk)
        return selectors.invoice_head_for_user(request.user, pk)
    except Invoice.DoesNotExist as exc:
        raise Http404("Счёт не найден.") from exc


def _detail_context(invoice: Invoice, page_number) -> dict:
    lines = selectors.invoice_lines(invoice)
    # A page of lines: an invoice of thousands would otherwise be a page of megabytes;
    # get_page() turns a missing, garbage or out-of-range number into the nearest page.
    page = Paginator(lines, LINES_PER_PAGE).get_page(page_number)
    shown = list(page.object_list)
    invoice_line_flags(shown)  # the line checks (SPEC §3.8) and «Это был не я» per line
    for line in shown:
        line.not_me_url = not_me_url(invoice=invoice.pk, line=line.pk)
    return {
        "invoice": invoice,
        "row": presentation.invoice_row(invoice),
        "lines": shown,
        "page": page,
        "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "corrections": list(invoice.corrections.all()),
        # «Неустойка»: shown where the contract has it or the ledger holds some (SPEC §3.8).
        "penalty": penalty_explained(invoice)
        if invoice.contract.penalty_enabled or invoice.penalty_total
        else None,
        # The totals are the whole invoice's, whatever page is shown.
        "cost_total": lines.aggregate(total=Sum("cost"))["total"] or Decimal("0.00"),
        "dispute_url": f"{reverse('feedback:index')}?invoice={invoice.pk}&kind=service_dispute",
        **_instalments_context(invoice),
    }


def _instalments_context(invoice: Invoice) -> dict:
    """«Оплата частями» in the details (SPEC §3.8): the schedule, or the link that splits."""
    plan, parts = plan_parts(invoice)
    return {
        "plan": plan,
        "parts": parts,
        "can_split": split_refusal(invoice) is None,
    }


@login_required
@require_GET
def invoice_detail(request, pk: int):
    """The details of one invoice: a page of its own, or (fetched by the page's script) the
    body of the modal window; lines come LINES_PER_PAGE at a time (?page=N). Every view is in
    the read log, whether the page was rendered or came from the page cache; a 404 (another
    family's id) is not a read."""
    response = _invoice_detail_page(request, pk)
    if response.status_code == 200:
        read_access_log(request=request, kind="invoice_detail", target=Invoice(pk=pk))
    return response


@pagecache.per_session
def _invoice_detail_page(request, pk: int):
    # A kept page was rendered for this session after this access check passed, and any
    # change to who may see the invoice is a write that starts a new generation.
    invoice = _get_invoice_for_user(request, pk, lines=False)
    template = (
        "invoices/my_invoices_detail_body.html"
        if request.GET.get("partial")
        else "invoices/my_invoices_detail.html"
    )
    return render(request, template, _detail_context(invoice, request.GET.get("page")))


def _xlsx_response(content, filename: str) -> FileResponse:
    """Streams the workbook's temporary file (FileResponse closes, and so deletes, it)."""
    response = FileResponse(content, content_type=XLSX, as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def invoice_xlsx(request, pk: int):
    invoice = _get_invoice_for_user(request, pk, lines=False)
    read_access_log(request=request, kind="invoice_xlsx", target=invoice)
    name = f"schet-{invoice.number.replace('/', '-')}.xlsx"
    lines = selectors.invoice_lines(invoice)
    return _xlsx_response(invoices_xlsx(invoices=[invoice], lines=lines), name)


@login_required
@require_GET
def invoices_export(request):
    invoices = selectors.invoices_for_user(request.user)
    read_access_log(request=request, kind="invoices_xlsx", target=request.user)
    name = f"scheta-{clock.moscow_today():%Y-%m-%d}.xlsx"
    lines = selectors.lines_for_export(user=request.user)
    return _xlsx_response(invoices_xlsx(invoices=invoices.iterator(), lines=lines), name)


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
