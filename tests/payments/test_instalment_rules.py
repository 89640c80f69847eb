"""«Оплатить частями» and the rest of the house (SPEC §3.8): reminders and the overdue job
follow the parts' dates, a dispute and its correction re-spread the parts, an operator cancels
a schedule in admin, an annulment, and what «Мои счета» shows."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from debts.models import ProgrammeDowngrade
from debts.services.overdue import overdue_apply
from debts.services.reminders import reminders_send
from dms_portal import clock
from invoices.errors import InvoiceStateError
from invoices.instalments.services import instalment_plan_cancel
from invoices.models import InstalmentPart, InstalmentPlan, Invoice
from invoices.services.annul import invoice_annul
from invoices.services.disputes import (
    invoice_correction_create,
    invoice_dispute_close,
    invoice_dispute_open,
)
from invoices.services.status import invoices_mark_overdue
from notifications.models import Message
from policies.models import Program
from tests.staff import staff_login

from .instalments import invoice_of, pay, payable, split

pytestmark = pytest.mark.django_db
S = Invoice.Status
D = Decimal


def part_dates(invoice):
    return list(
        InstalmentPart.objects.filter(invoice=invoice, status="unpaid")
        .order_by("number")
        .values_list("due_date", flat=True)
    )


def amounts(invoice):
    return list(
        InstalmentPart.objects.filter(invoice=invoice)
        .order_by("number")
        .values_list("amount", "status")
    )


def test_reminders_follow_the_next_parts_date_and_name_its_amount(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    first, second, third = part_dates(invoice)
    reminders_send(today=first - dt.timedelta(days=7))
    sms = Message.objects.get(event="reminder_due_soon", channel="sms")
    body = sms.body.replace("\xa0", " ")  # an SMS carries plain spaces
    assert "(часть 1 из 3) на 1 000,00 ₽" in body and first.strftime("%d.%m.%Y") in body
    pay(client, owner, invoice)
    reminders_send(today=first)  # the paid part's due date: nothing is asked that day
    assert not Message.objects.filter(event="reminder_due_today").exists()
    reminders_send(today=second)
    sms = Message.objects.get(event="reminder_due_today", channel="sms")
    assert "(часть 2 из 3) на 1 000,00 ₽" in sms.body.replace("\xa0", " ")


def test_a_split_invoice_falls_overdue_by_its_next_parts_date(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    first, second, _ = part_dates(invoice)
    pay(client, owner, invoice)
    assert invoices_mark_overdue(today=first + dt.timedelta(days=1)) == []
    assert invoices_mark_overdue(today=second) == []
    changed = invoices_mark_overdue(today=second + dt.timedelta(days=1))
    assert [i.pk for i in changed] == [invoice.pk]


def test_paying_the_overdue_part_restores_the_programme_while_parts_remain(
    client, demo, owner, django_capture_on_commit_callbacks
):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    first = part_dates(invoice)[0]
    late = first + dt.timedelta(days=3)
    overdue_apply(today=late)
    demo["ivanov"].refresh_from_db()
    assert demo["ivanov"].program.kind == Program.Kind.EMERGENCY
    moment = dt.datetime.combine(late, dt.time(12), tzinfo=clock.MOSCOW)
    with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
        pay(client, owner, invoice)
    invoice.refresh_from_db()
    assert invoice.status == S.NEW and payable(invoice) == D("2000.01")
    assert ProgrammeDowngrade.objects.get().status == ProgrammeDowngrade.Status.RESTORED
    demo["ivanov"].refresh_from_db()
    assert demo["ivanov"].program.kind == Program.Kind.FULL


def _dispute(invoice):
    line = invoice.lines.get()
    invoice_dispute_open(invoice_id=invoice.pk, line_ids=[line.pk])
    return line


def test_a_correction_re_spreads_what_remains_over_the_unpaid_parts(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    pay(client, owner, invoice)  # part 1: 1 000,00
    line = _dispute(invoice)
    # Five days of the due clock were spent in the dispute: the parts wait as long.
    Invoice.objects.filter(pk=invoice.pk).update(due_paused_at=clock.now() - dt.timedelta(days=5))
    before = part_dates(invoice)
    invoice_correction_create(invoice_id=invoice.pk, reductions={line.pk: D("500.00")}, reason="т")
    assert amounts(invoice)[1:] == [(D("750.00"), "unpaid"), (D("750.01"), "unpaid")]
    assert payable(invoice) == D("1500.01")  # 3 000,01 − 500,00 − 1 000,00
    invoice_dispute_close(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert part_dates(invoice) == [d + dt.timedelta(days=5) for d in before]
    assert invoice.status == S.NEW and invoice.due_date == part_dates(invoice)[0]
    assert pay(client, owner, invoice).amount == D("750.00")


def test_a_correction_above_what_remains_credits_the_paid_part_and_settles(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    pay(client, owner, invoice)
    line = _dispute(invoice)
    _, credit = invoice_correction_create(
        invoice_id=invoice.pk, reductions={line.pk: D("2500.00")}, reason="т"
    )
    assert credit == D("499.99")  # 2 500,00 − the 2 000,01 that was still unpaid
    assert [s for _, s in amounts(invoice)] == ["paid", "dropped", "dropped"]
    assert InstalmentPlan.objects.get().status == "completed"
    invoice_dispute_close(invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.status == S.PAID


def test_a_disputed_split_invoice_cannot_be_paid_until_the_dispute_ends(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    split(invoice, owner)
    _dispute(invoice)
    client.force_login(owner)
    response = client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk]}, follow=True)
    assert "Счёт оспаривается" in response.content.decode()


def test_an_operator_cancels_a_schedule_in_admin_and_one_amount_remains(
    client, demo, owner, django_user_model
):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    plan = split(invoice, owner)
    pay(client, owner, invoice)
    second = part_dates(invoice)[0]
    operator = django_user_model.objects.create_superuser("+79990009999", "Operator-2026!")
    staff_login(client, operator)
    changelist = client.get(reverse("admin:invoices_instalmentplan_changelist"))
    assert changelist.status_code == 200 and invoice.number in changelist.content.decode()
    detail = client.get(reverse("admin:invoices_instalmentplan_change", args=[plan.pk]))
    assert "Части счетов" in detail.content.decode() or "часть счёта" in detail.content.decode()
    on_invoice = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    assert "Части счетов" in on_invoice.content.decode()
    url = reverse("admin:invoices_instalmentplan_cancel") + f"?ids={plan.pk}"
    assert "Будут отменены графики" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    response = client.post(url, {"reason": "Просьба застрахованного"}, follow=True)
    assert "Отменено графиков: 1" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "cancelled" and plan.cancelled_by == operator
    assert [s for _, s in amounts(invoice)] == ["paid", "dropped", "dropped"]
    entry = AuditEntry.objects.get(action="invoice.instalments_cancelled")
    assert entry.actor_id == operator.pk
    invoice.refresh_from_db()
    assert (invoice.status, invoice.due_date, payable(invoice)) == (S.NEW, second, D("2000.01"))
    # The rest is paid as one amount, and the invoice is paid.
    assert pay(client, owner, invoice).amount == D("2000.01")
    invoice.refresh_from_db()
    assert invoice.status == S.PAID


def test_cancel_is_refused_while_a_part_is_being_paid_and_needs_a_reason(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "6000.00")
    plan = split(invoice, owner)
    with pytest.raises(InvoiceStateError, match="причину"):
        instalment_plan_cancel(plan_id=plan.pk, reason="  ")
    client.force_login(owner)
    client.post(reverse("payments:start"), {"invoice_ids": [invoice.pk]})
    with pytest.raises(InvoiceStateError, match="выполняется"):
        instalment_plan_cancel(plan_id=plan.pk, reason="Просьба")


def test_annulment_is_refused_once_a_part_is_paid_and_ends_an_unpaid_schedule(client, demo, owner):
    paid_part = invoice_of(demo["ivanov"], "6000.00")
    split(paid_part, owner)
    pay(client, owner, paid_part)
    with pytest.raises(InvoiceStateError, match="часть счёта оплачена"):
        invoice_annul(invoice=paid_part, reason="Отзыв реестра", lines_action="return")
    unpaid = invoice_of(demo["ivanov"], "6000.00")
    split(unpaid, owner)
    invoice_annul(invoice=unpaid, reason="Отзыв реестра", lines_action="return")
    assert InstalmentPlan.objects.get(invoice=unpaid).status == "cancelled"


def test_the_row_shows_what_remains_and_the_next_part_and_its_box_pays_that(client, demo, owner):
    invoice = invoice_of(demo["ivanov"], "3000.01")
    other = invoice_of(demo["ivanov"], "4500.00")
    small = invoice_of(demo["ivanov"], "2999.99")
    split(invoice, owner)
    pay(client, owner, invoice)
    second = part_dates(invoice)[0]
    page = client.get(reverse("invoices:my_invoices")).content.decode()
    row = next(r for r in page.split("<tr") if f">{invoice.number}<" in r)
    assert "2\xa0000,01\xa0₽" in row  # ИТОГО К ОПЛАТЕ: what remains
    assert (
        f'Часть 2 из 3: <span class="text-nowrap">1\xa0000,00\xa0₽</span> до {second:%d.%m.%Y}'
        in row
    )
    assert 'data-amount="1000.00"' in row and "Оплатить частями" not in row
    other_row = next(r for r in page.split("<tr") if f">{other.number}<" in r)
    assert f'href="/invoices/{other.pk}/parts/">Оплатить частями' in other_row
    small_row = next(r for r in page.split("<tr") if f">{small.number}<" in r)
    assert "Оплатить частями" not in small_row
    details = client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()
    assert "Оплата частями" in details and "Оплачено частями" in details
    assert "Оплачена" in details and "Не оплачена" in details


def test_the_xlsx_and_the_pdf_take_the_paid_parts_off_like_the_row(
    client, demo, owner, settings, tmp_path
):
    import io
    import subprocess

    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    invoice = invoice_of(demo["ivanov"], "3000.01")
    split(invoice, owner)
    client.force_login(owner)
    before = client.get(reverse("invoices:pdf", args=[invoice.pk])).content  # kept in storage
    pay(client, owner, invoice)
    response = client.get(reverse("invoices:xlsx", args=[invoice.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Счета"]
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    # «Неустойка» (none here) stands before ИТОГО К ОПЛАТЕ; «Оплачено частями» comes last.
    assert header[8] == "ИТОГО К ОПЛАТЕ" and header[-1] == "Оплачено частями"
    assert D(str(row[8])) == D("2000.01") and D(str(row[-1])) == D("1000.00")
    pdf = client.get(reverse("invoices:pdf", args=[invoice.pk])).content
    assert pdf != before  # the kept file was rendered before the part was paid
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Оплачено частями" in text and "1 000,00" in text.replace("\xa0", " ")
    assert "2 000,01" in text.replace("\xa0", " ")
