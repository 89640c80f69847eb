"""«Мои счета»: the list with its filters, the details of one invoice, the exports and PDF.

Paying is the payments app's job: the page's form posts the chosen ids to `payments:start`.
"""

import dataclasses
import functools
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from dms_portal import clock
from dms_portal.money import format_rub
from policies.models import InsuredPerson
from policies.selectors import people_for_user

from . import selectors
from .exports import invoices_xlsx
from .models import Invoice
from .services import deposit, pdf
from .services.status import PAYABLE, REASON_NOT_PAYABLE, payable_amount

S = Invoice.Status
STATUS_CLASS = {
    S.NEW: "text-bg-primary",
    S.PENDING: "text-bg-warning",
    S.PAID: "text-bg-success",
    S.OVERDUE: "text-bg-danger",
    S.DISPUTED: "text-bg-info",
    S.ANNULLED: "text-bg-secondary",
}
ZERO = Decimal("0.00")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class MyInvoicesFilterForm(forms.Form):
    """Validates the filters; the page renders the controls itself (see the template)."""

    status = forms.ChoiceField(required=False, choices=[("", "Все статусы"), *S.choices])
    person = forms.TypedChoiceField(required=False, coerce=int)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Все"), *((p.pk, p.full_name) for p in people)]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("Дата «с» позже даты «по»")
        return data


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One invoice as the table shows it, formatted once in Python (500 rows stay fast)."""

    id: int
    number: str
    formed: str
    person: str
    category: str
    copay: str
    deposit: str
    payable: str
    amount_attr: str  # the payable amount as "1234.50" for the page's script
    due: str
    status: str
    status_label: str
    status_class: str
    selectable: bool
    reason: str


def _row(invoice: Invoice) -> Row:
    payable = payable_amount(invoice)
    selectable = invoice.status in PAYABLE and payable > 0
    reason = ""
    if not selectable:
        reason = REASON_NOT_PAYABLE.get(invoice.status, "Нечего оплачивать")
    return Row(
        id=invoice.pk,
        number=invoice.number,
        formed=clock.to_moscow_date(invoice.formed_at).strftime("%d.%m.%Y"),
        person=invoice.person.full_name,
        category=invoice.person.get_category_display(),
        copay=format_rub(invoice.copay_total),
        deposit=format_rub(invoice.deposit_applied),
        payable=format_rub(payable),
        amount_attr=f"{payable:.2f}",
        due=invoice.due_date.strftime("%d.%m.%Y"),
        status=invoice.status,
        status_label=invoice.get_status_display(),
        status_class=STATUS_CLASS.get(invoice.status, "text-bg-light"),
        selectable=selectable,
        reason=reason,
    )


# Amounts and dates repeat a lot across a user's invoices; formatting each once is measurably
# faster on the 500-row page.
@functools.lru_cache(maxsize=4096)
def _rub(value: Decimal) -> str:
    return format_rub(value)


@functools.lru_cache(maxsize=4096)
def _plain(value: Decimal) -> str:
    return f"{value:.2f}"


@functools.lru_cache(maxsize=4096)
def _ddmmyyyy(value) -> str:
    return value.strftime("%d.%m.%Y")


def _pick_html(invoice_id: int, number: str, amount: str, reason: str) -> str:
    label = f"Выбрать счёт {number}"
    if not reason:
        return (
            f'<input class="form-check-input js-pick" type="checkbox" name="invoice_ids" '
            f'value="{invoice_id}" data-amount="{amount}" aria-label="{label}">'
        )
    # The reason shows as a tooltip on hover, keyboard focus and tap, and as text on phones.
    return (
        f'<span class="pick-disabled" tabindex="0" title="{reason}" data-bs-toggle="tooltip">'
        f'<input class="form-check-input" type="checkbox" disabled aria-label="{label}" '
        f'aria-describedby="why-{invoice_id}"></span> '
        f'<span class="pick-reason" id="why-{invoice_id}">{reason}</span>'
    )


def _rows_html(rows) -> tuple[str, int]:
    """The table body of «Мои счета», rendered in Python rather than by a template loop.

    Why: the page must show all 500 of a user's invoices in under 50 ms of server time, and a
    Django template loop over 500 rows × 11 cells alone takes several times that (see
    bench/invoices_page.py). Every value from the database goes through `escape`; the markup
    is the same a template would produce (invoices/my_invoices.html has the table around it).
    """
    detail_base = reverse("invoices:detail", args=[0])[:-2]
    category_labels = dict(InsuredPerson.Category.choices)
    status_labels = dict(S.choices)
    out = []
    for (
        invoice_id,
        raw_number,
        formed_at,
        due_date,
        copay,
        deposit_applied,
        amount_due,
        corrected,
        status,
        last_name,
        first_name,
        patronymic,
        category,
    ) in rows:
        payable = max(amount_due - (corrected or 0), ZERO)  # as status.payable_amount
        if status in PAYABLE and payable > 0:
            reason = ""
        else:
            reason = REASON_NOT_PAYABLE.get(status, "Нечего оплачивать")
        number = escape(raw_number)
        person = escape(" ".join(p for p in (last_name, first_name, patronymic) if p))
        url = f"{detail_base}{invoice_id}/"
        out.append(
            f'<tr class="status-{status}">'
            f'<td data-label="ВЫБРАТЬ" class="pick">'
            f"{_pick_html(invoice_id, number, _plain(payable), reason)}</td>"
            f'<td data-label="НОМЕР СЧЕТА" class="fw-semibold text-nowrap">{number}</td>'
            f'<td data-label="СЧЕТ"><a class="invoice-file" href="{url}" '
            f'data-details="{url}?partial=1" data-number="{number}" '
            f'aria-label="Счёт {number}"></a></td>'
            f'<td data-label="ДАТА ФОРМИРОВАНИЯ">'
            f"{_ddmmyyyy(formed_at.astimezone(clock.MOSCOW).date())}</td>"
            f'<td data-label="ЗАСТРАХОВАННЫЙ">{person}</td>'
            f'<td data-label="Категория">{category_labels.get(category, "")}</td>'
            f'<td data-label="СУММА СООПЛАТЫ" class="text-end text-nowrap">{_rub(copay)}</td>'
            f'<td data-label="Гарантийный взнос" class="text-end text-nowrap">{_rub(deposit_applied)}</td>'
            f'<td data-label="ИТОГО К ОПЛАТЕ" class="text-end text-nowrap fw-semibold">'
            f"{_rub(payable)}</td>"
            f'<td data-label="СТАТУС"><span class="badge {STATUS_CLASS.get(status, "")}">'
            f"{status_labels.get(status, status)}</span></td>"
            f'<td data-label="Оплатить до" class="text-nowrap">{_ddmmyyyy(due_date)}</td></tr>'
        )
    return mark_safe("\n".join(out)), len(out)  # noqa: S308 - every value escaped above


def _term_text(contract) -> str:
    n = contract.payment_term_days
    one = n % 10 == 1 and n % 100 != 11
    if contract.payment_term_kind == "business":
        kind = "рабочего" if one else "рабочих"
    else:
        kind = "календарного" if one else "календарных"
    return f"{n} {kind} {'дня' if one else 'дней'}"


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
    rows_html, count = _rows_html(rows)
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
            "term": _term_text(own.contract) if own else "",
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
        "row": _row(invoice),
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
