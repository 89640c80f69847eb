"""«Мои счета» as the page shows it: rows formatted once in Python, the table body as HTML.

Why not a template loop: the page must show all 500 of a user's invoices in under 50 ms of
server time, and a Django template loop over 500 rows × 11 cells alone takes several times
that (bench/invoices_page.py). Every value from the database is escaped here.
"""

import dataclasses
import functools
from decimal import Decimal

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dms_portal import clock
from dms_portal.money import format_rub
from policies.models import InsuredPerson

from .models import Invoice
from .selectors import ROW_FIELDS
from .services.status import PAYABLE, REASON_NOT_PAYABLE

S = Invoice.Status
STATUS_CLASS = {
    S.NEW: "text-bg-primary",
    S.PENDING: "text-bg-warning",
    S.PAID: "text-bg-success",
    S.OVERDUE: "text-bg-danger",
    S.DISPUTED: "text-bg-info",
    S.ANNULLED: "text-bg-secondary",
}


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
    correction: str  # what accepted disputes took off (Корректировка)
    penalty: str  # «Неустойка» still owed, "" when none (SPEC §3.8)
    payable: str
    amount_attr: str  # the payable amount as "1234.50" for the page's script
    due: str
    status: str
    status_label: str
    status_class: str
    selectable: bool
    reason: str
    dispute_mark: bool  # paid, and an appeal contests it: ОПЛАЧЕН + «спор» (SPEC §3.4)
    parts_paid: str = ""  # instalments paid while parts remain (SPEC §3.8), "" when none


def _dispute_mark(invoice: Invoice) -> bool:
    if invoice.status != S.PAID:
        return False
    if "in_dispute" in invoice.__dict__:
        return invoice.in_dispute
    return (
        Invoice.objects.filter(pk=invoice.pk)
        .with_dispute_mark()
        .values_list("in_dispute", flat=True)
        .get()
    )


def invoice_row(invoice: Invoice) -> Row:
    payable = invoice.payable_amount()
    selectable = invoice.status in PAYABLE and payable > 0
    reason = ""
    if not selectable:
        reason = REASON_NOT_PAYABLE.get(invoice.status, "Нечего оплачивать")
    corrections = invoice.__dict__.get("corrections_total")
    if corrections is None:
        corrections = sum((c.amount for c in invoice.corrections.all()), Decimal("0.00"))
    penalty = invoice.__dict__.get("penalty_total")
    if penalty is None:
        penalty = sum((e.amount for e in invoice.penalty_entries.all()), Decimal("0.00"))
    return Row(
        id=invoice.pk,
        number=invoice.number,
        formed=clock.to_moscow_date(invoice.formed_at).strftime("%d.%m.%Y"),
        person=invoice.person.full_name,
        category=invoice.person.get_category_display(),
        copay=format_rub(invoice.copay_total),
        deposit=format_rub(invoice.deposit_applied),
        correction=format_rub(corrections),
        penalty=format_rub(penalty) if penalty else "",
        payable=format_rub(payable),
        amount_attr=f"{payable:.2f}",
        due=invoice.due_date.strftime("%d.%m.%Y"),
        status=invoice.status,
        status_label=invoice.get_status_display(),
        status_class=STATUS_CLASS.get(invoice.status, "text-bg-light"),
        selectable=selectable,
        reason=reason,
        dispute_mark=_dispute_mark(invoice),
        parts_paid=_parts_paid_text(invoice),
    )


def _parts_paid_text(invoice: Invoice) -> str:
    """«Оплачено частями» is a term of ИТОГО К ОПЛАТЕ only while the invoice is unpaid."""
    paid = invoice.__dict__.get("parts_paid")
    if paid is None:
        paid = (
            Invoice.objects.filter(pk=invoice.pk)
            .with_money()
            .values_list("parts_paid", flat=True)
            .get()
        )
    return format_rub(paid) if paid and invoice.status != S.PAID else ""


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


def _parts_html(url, status, payable, threshold, number, amount, due, count, penalty) -> str:
    """Under ИТОГО К ОПЛАТЕ: the next part of a split invoice, or the link that splits one (not
    for an invoice that carries a penalty: `split_refusal`)."""
    if number:
        return (
            f'<div class="part-next small fw-normal">Часть {number} из {count}: '
            f'<span class="text-nowrap">{_rub(amount)}</span> до {_ddmmyyyy(due)}</div>'
        )
    if status == S.NEW and payable >= threshold and not penalty:
        return f'<div class="part-link small fw-normal"><a href="{url}parts/">Оплатить частями</a></div>'
    return ""


def has_payable(rows) -> bool:
    """Whether any row of `invoice_rows_for_user` can be paid: with none, no «ОПЛАТИТЬ»."""
    status_at, payable_at = ROW_FIELDS.index("status"), ROW_FIELDS.index("payable")
    return any(r[status_at] in PAYABLE and r[payable_at] > 0 for r in rows)


def penalty_note(penalty: Decimal) -> str:
    """The second line of the ИТОГО К ОПЛАТЕ cell when it includes a penalty: the table keeps
    its columns (and fits 1280 px), and a phone's card shows it under the amount too."""
    if not penalty:
        return ""
    return (
        f'<span class="penalty-note d-block small fw-normal text-danger">'
        f"в\u00a0т.\u00a0ч. неустойка {_rub(penalty)}</span>"
    )


DISPUTE_MARK = '<span class="badge text-bg-info ms-1 dispute-mark" title="По счёту открыто обращение «Несогласие с услугой»">спор</span>'


def rows_html(rows) -> tuple[str, int]:
    """The table body of «Мои счета», rendered in Python rather than by a template loop.

    Why: the page must show all 500 of a user's invoices in under 50 ms of server time, and a
    Django template loop over 500 rows × 12 cells alone takes several times that (see
    bench/invoices_page.py). Every value from the database goes through `escape`; the markup
    is the same a template would produce (invoices/my_invoices.html has the table around it).
    On phones the same cells become a compact card (static/css/invoices.css): the row's
    `data-extra` says whether the card needs its line of deposit / correction amounts.
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
        corrections,
        penalty,
        payable,
        status,
        in_dispute,
        last_name,
        first_name,
        patronymic,
        category,
        part_number,
        part_amount,
        part_due,
        parts_count,
        threshold,
    ) in rows:
        if status in PAYABLE and payable > 0:
            reason = ""
        else:
            reason = REASON_NOT_PAYABLE.get(status, "Нечего оплачивать")
        # A split invoice's checkbox pays its next part (SPEC §3.8); the server recomputes it.
        pick_amount = part_amount if part_number else payable
        url = f"{detail_base}{invoice_id}/"
        parts = _parts_html(
            url,
            status,
            payable,
            threshold,
            part_number,
            part_amount,
            part_due,
            parts_count,
            penalty,
        )
        number = escape(raw_number)
        person = escape(" ".join(p for p in (last_name, first_name, patronymic) if p))
        mark = DISPUTE_MARK if in_dispute and status == S.PAID else ""
        extra = "1" if deposit_applied or corrections else "0"
        out.append(
            f'<tr class="status-{status}" data-extra="{extra}">'
            f'<td data-label="ВЫБРАТЬ" class="pick">'
            f"{_pick_html(invoice_id, number, _plain(pick_amount), reason)}</td>"
            f'<td data-label="НОМЕР СЧЕТА" class="c-number fw-semibold text-nowrap">{number}</td>'
            f'<td data-label="СЧЕТ" class="c-file"><a class="invoice-file" href="{url}" '
            f'data-details="{url}?partial=1" data-number="{number}" '
            f'aria-label="Счёт {number}"></a></td>'
            f'<td data-label="ДАТА ФОРМИРОВАНИЯ" class="c-formed">'
            f"{_ddmmyyyy(formed_at.astimezone(clock.MOSCOW).date())}</td>"
            f'<td data-label="ЗАСТРАХОВАННЫЙ" class="c-person">{person}</td>'
            f'<td data-label="Категория" class="c-category">{category_labels.get(category, "")}</td>'
            f'<td data-label="СУММА СООПЛАТЫ" class="c-copay text-end text-nowrap">{_rub(copay)}</td>'
            f'<td data-label="Гарантийный взнос" class="c-deposit text-end text-nowrap">'
            f"{_rub(deposit_applied)}</td>"
            f'<td data-label="Корректировка" class="c-correction text-end text-nowrap">'
            f"{_rub(corrections)}</td>"
            f'<td data-label="ИТОГО К ОПЛАТЕ" class="c-payable text-end text-nowrap fw-semibold">'
            f"{_rub(payable)}{penalty_note(penalty)}{parts}</td>"
            f'<td data-label="СТАТУС" class="c-status"><span class="badge {STATUS_CLASS.get(status, "")}">'
            f"{status_labels.get(status, status)}</span>{mark}</td>"
            f'<td data-label="Оплатить до" class="c-due text-nowrap">{_ddmmyyyy(due_date)}</td></tr>'
        )
    return mark_safe("\n".join(out)), len(out)  # noqa: S308 - every value escaped above


def payment_term_text(contract) -> str:
    n = contract.payment_term_days
    one = n % 10 == 1 and n % 100 != 11
    if contract.payment_term_kind == "business":
        kind = "рабочего" if one else "рабочих"
    else:
        kind = "календарного" if one else "календарных"
    return f"{n} {kind} {'дня' if one else 'дней'}"
