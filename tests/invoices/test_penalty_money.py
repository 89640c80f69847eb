"""«Неустойка» as money: part of ИТОГО К ОПЛАТЕ (`with_money`), charged and settled by a
payment (with its own receipt item), waived by an operator with a reason (audited), written off
when a dispute removes the whole co-pay, and the same figures in the row, the details, the
XLSX and the PDF."""

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from audit.models import AuditEntry
from dms_portal.clock import MOSCOW
from dms_portal.money import format_rub
from invoices.errors import InvoiceStateError
from invoices.models import Invoice, PenaltyEntry
from invoices.services.disputes import (
    invoice_correction_create,
    invoice_dispute_close,
    invoice_dispute_open,
)
from invoices.services.penalty import penalty_waive
from payments.models import Payment
from tests.payments.factories import make_user
from tests.staff import staff_login

from .test_penalty import DUE, contract_with_penalty, day, overdue_invoice, run

pytestmark = pytest.mark.django_db
S = Invoice.Status


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")


@pytest.fixture
def penalised(demo, owner):
    """Иванов's invoice: co-pay 390.00, 10 days overdue at 0.1 % a day → penalty 3.90."""
    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    run(10)
    return invoice


def money(invoice) -> Invoice:
    return Invoice.objects.with_money().get(pk=invoice.pk)


def test_payable_is_amount_due_less_corrections_plus_the_penalty(penalised):
    row = money(penalised)
    assert (row.amount_due, row.corrections_total, row.penalty_total) == (
        Decimal("390.00"),
        Decimal("0.00"),
        Decimal("3.90"),
    )
    assert row.payable == Decimal("393.90")
    assert Invoice.objects.get(pk=penalised.pk).payable_amount() == Decimal("393.90")


def test_a_waiver_needs_a_reason_is_audited_and_reduces_what_is_payable(penalised, owner):
    operator = User.objects.create_user("+79990009999", "Operator-2026!", is_staff=True)
    for reason in ("", "   "):
        with pytest.raises(InvoiceStateError, match="Укажите причину"):
            penalty_waive(invoice_id=penalised.pk, reason=reason, actor=operator)
    for amount in (Decimal("0"), Decimal("-1"), Decimal("3.91")):
        with pytest.raises(InvoiceStateError, match="от 0,01 до 3.90"):
            penalty_waive(invoice_id=penalised.pk, reason="x", actor=operator, amount=amount)
    assert PenaltyEntry.objects.filter(kind="waiver").count() == 0

    penalty_waive(invoice_id=penalised.pk, reason="Ошибка в сроке", actor=operator, amount=1)
    assert money(penalised).payable == Decimal("392.90")
    entry = penalty_waive(invoice_id=penalised.pk, reason="Просьба страхователя", actor=operator)
    assert (entry.kind, entry.amount, entry.created_by) == ("waiver", Decimal("-2.90"), operator)
    assert money(penalised).penalty_total == 0 and money(penalised).payable == Decimal("390.00")
    audit = AuditEntry.objects.filter(action="invoice.penalty_waived").order_by("pk")
    assert [(a.actor, a.data["amount"], a.data["reason"]) for a in audit] == [
        (operator, "1.00", "Ошибка в сроке"),
        (operator, "2.90", "Просьба страхователя"),
    ]
    with pytest.raises(InvoiceStateError, match="неустойки к списанию нет"):
        penalty_waive(invoice_id=penalised.pk, reason="ещё раз", actor=operator)
    # Later days keep accruing, and the cap still counts what was waived (3.90 of 39.00).
    run(11)
    assert money(penalised).penalty_total == Decimal("0.39")


def test_a_waiver_is_refused_on_a_paid_invoice_or_one_being_paid(penalised, owner):
    for status in (S.PAID, S.PENDING, S.ANNULLED):
        Invoice.objects.filter(pk=penalised.pk).update(status=status)
        with pytest.raises(InvoiceStateError, match="только с неоплаченного"):
            penalty_waive(invoice_id=penalised.pk, reason="x", actor=owner)


def test_a_payment_charges_the_penalty_as_its_own_receipt_item_and_settles_it(
    client, penalised, owner
):
    client.force_login(owner)
    with time_machine.travel(dt.datetime.combine(day(10), dt.time(12), tzinfo=MOSCOW)):
        response = client.post(reverse("payments:start"), {"invoice_ids": [penalised.pk]})
        payment = Payment.objects.get()
        assert payment.amount == Decimal("393.90")
        assert payment.links.get().amount == Decimal("393.90")
        assert [
            (i["description"], i["amount"]["value"], i["payment_subject"])
            for i in payment.receipt["items"]
        ] == [
            (f"Франшиза ДМС по счёту {penalised.number}", "390.00", "service"),
            (f"Неустойка по счёту {penalised.number}", "3.90", "another"),
        ]
        response = client.post(response["Location"], {"decision": "pay"})
        client.get(response["Location"], follow=True)
    assert Invoice.objects.get(pk=penalised.pk).status == S.PAID
    assert money(penalised).payable == Decimal("393.90")  # what was asked, now paid
    receipt = client.get(reverse("payments:receipt", args=[payment.pk])).content.decode()
    assert f"Неустойка по счёту {penalised.number}" in receipt and "3,90" in receipt
    # Paid: no more days accrue.
    assert run(15)["days"] == 0


def test_a_dispute_that_removes_the_whole_copay_writes_the_penalty_off(penalised, owner):
    lines = list(penalised.lines.all())
    invoice_dispute_open(invoice_id=penalised.pk, line_ids=[line.pk for line in lines])
    invoice_correction_create(
        invoice_id=penalised.pk,
        reductions={line.pk: line.copay for line in lines},
        reason="Услуга не оказывалась",
    )
    closed = invoice_dispute_close(invoice_id=penalised.pk)
    assert closed.status == S.PAID
    assert money(penalised).penalty_total == 0 and money(penalised).payable == 0
    waiver = PenaltyEntry.objects.get(kind="waiver")
    assert waiver.amount == Decimal("-3.90") and "корректировкой" in waiver.reason


def _row_cells(html: str, number: str) -> dict[str, str]:
    row = re.search(rf"<tr [^>]*>(?:(?!</tr>).)*?{re.escape(number)}.*?</tr>", html, re.S)
    cells = re.findall(r'data-label="([^"]+)"[^>]*>(.*?)</td>', row.group(0), re.S)
    return {label: re.sub(r"<[^>]+>", " ", text) for label, text in cells}


def test_row_details_xlsx_and_pdf_show_the_penalty_and_add_up(
    client, penalised, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(owner)
    total, penalty = format_rub(Decimal("393.90")), format_rub(Decimal("3.90"))

    cells = _row_cells(
        client.get(reverse("invoices:my_invoices")).content.decode(), penalised.number
    )
    assert cells["ИТОГО К ОПЛАТЕ"].split() == f"{total} в т. ч. неустойка {penalty}".split()

    details = client.get(f"/invoices/{penalised.pk}/?partial=1").content.decode()
    figures = dict(re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>([^<]*)</dd>", details))
    assert figures["СУММА СООПЛАТЫ"] == format_rub(Decimal("390.00"))
    assert figures["Неустойка"] == penalty and figures["ИТОГО К ОПЛАТЕ"] == total
    assert "Неустойка начислена за 10 дней просрочки, по 12.11.2026" in details
    assert "0,1 % от неоплаченной сооплаты в день, всего не более 10 %" in details
    assert "Чтобы начисление прекратилось, оплатите счёт" in details

    xlsx = b"".join(client.get(reverse("invoices:xlsx", args=[penalised.pk])).streaming_content)
    sheet = load_workbook(io.BytesIO(xlsx))["Счета"]
    head = [c.value for c in sheet[1]]
    row = dict(zip(head, [c.value for c in sheet[2]], strict=True))
    assert Decimal(str(row["Неустойка"])) == Decimal("3.90")
    assert Decimal(str(row["ИТОГО К ОПЛАТЕ"])) == (
        Decimal(str(row["СУММА СООПЛАТЫ"]))
        - Decimal(str(row["Гарантийный взнос"]))
        - Decimal(str(row["Корректировка"]))
        + Decimal(str(row["Неустойка"]))
    )

    data = client.get(reverse("invoices:pdf", args=[penalised.pk])).content
    path = tmp_path / "schet.pdf"
    path.write_bytes(data)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "Неустойка за 10 дней просрочки" in text and "+3,90" in text
    assert "393,90" in text and "включая неустойку" in text
    # A day accrued since makes the kept PDF stale: the next download shows the new total.
    run(11)
    data = client.get(reverse("invoices:pdf", args=[penalised.pk])).content
    path.write_bytes(data)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    assert "394,29" in text and "за 11 дней" in text


def test_the_page_shows_no_penalty_where_there_is_none(client, demo, owner):
    invoice = overdue_invoice(demo["ivanov"])
    client.force_login(owner)
    html = client.get(reverse("invoices:my_invoices")).content.decode()
    assert "неустойка" not in _row_cells(html, invoice.number)["ИТОГО К ОПЛАТЕ"]
    details = client.get(f"/invoices/{invoice.pk}/?partial=1").content.decode()
    assert "Неустойка" not in details


@pytest.fixture
def operator_client(client, staff_group):
    operator = User.objects.create_user("+79990009999", "Operator-2026!", is_staff=True)
    operator.groups.add(staff_group("Операторы"))
    staff_login(client, operator)
    return client


def test_operator_waives_in_admin_only_with_a_reason(operator_client, penalised):
    url = reverse("admin:invoices_penaltyentry_waive") + f"?ids={penalised.pk}"
    page = operator_client.get(url).content.decode()
    assert "Списание неустойки" in page and "3,90" in page
    response = operator_client.post(url, {"reason": "  ", "amount": ""})
    assert response.status_code == 200 and "Обязательное поле" in response.content.decode()
    assert not PenaltyEntry.objects.filter(kind="waiver").exists()
    response = operator_client.post(url, {"reason": "Обращение страхователя", "amount": ""})
    assert response.status_code == 302
    assert money(penalised).penalty_total == 0
    assert AuditEntry.objects.get(action="invoice.penalty_waived").data["reason"] == (
        "Обращение страхователя"
    )
    assert operator_client.get("/admin/invoices/penaltyentry/").status_code == 200
    assert (
        operator_client.get(
            reverse("admin:invoices_invoice_change", args=[penalised.pk])
        ).status_code
        == 200
    )


def test_staff_outside_operators_cannot_waive(client, staff_group, penalised):
    expert = User.objects.create_user("+79990009998", "Expert-2026!", is_staff=True)
    expert.groups.add(staff_group("Эксперты"))
    staff_login(client, expert)
    url = reverse("admin:invoices_penaltyentry_waive") + f"?ids={penalised.pk}"
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert money(penalised).penalty_total == Decimal("3.90")


def test_the_daily_task_and_the_command_run_the_same_accrual(demo, capsys):
    from django.core.management import call_command

    from invoices.tasks import penalty_accrue_task

    contract_with_penalty(demo)
    invoice = overdue_invoice(demo["ivanov"])
    with time_machine.travel(
        dt.datetime.combine(DUE + dt.timedelta(days=2), dt.time(1), tzinfo=MOSCOW)
    ):
        assert penalty_accrue_task.apply().get()["days"] == 2
        call_command("accrue_penalties")
    assert "дней 0" in capsys.readouterr().out
    assert PenaltyEntry.objects.filter(invoice=invoice).count() == 2


def test_after_a_waiver_the_details_say_what_was_accrued_and_written_off(client, penalised, owner):
    penalty_waive(invoice_id=penalised.pk, reason="Просьба страхователя", actor=None)
    client.force_login(owner)
    html = client.get(reverse("invoices:my_invoices")).content.decode()
    assert "неустойка" not in _row_cells(html, penalised.number)["ИТОГО К ОПЛАТЕ"]
    details = client.get(f"/invoices/{penalised.pk}/?partial=1").content.decode()
    figures = dict(re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>([^<]*)</dd>", details))
    assert figures["Неустойка"] == format_rub(Decimal("0.00"))
    assert figures["ИТОГО К ОПЛАТЕ"] == format_rub(Decimal("390.00"))
    assert "начислено 3,90\xa0₽, списано 3,90\xa0₽" in details


def test_a_bank_transfer_stops_the_penalty_on_the_day_the_money_arrived(penalised, owner):
    from payments.errors import PaymentError
    from payments.services import bank_transfer_record

    run(13)  # the operator enters on day 13 a transfer that arrived on day 10
    assert money(penalised).payable == Decimal("395.07")
    staff = User.objects.create_user("+79990009999", "Operator-2026!", is_staff=True)
    with pytest.raises(PaymentError, match="не равна"):
        bank_transfer_record(
            amount=Decimal("390.00"),
            received_on=day(10),
            reference="п/п 77",
            invoice_ids=[penalised.pk],
            actor=staff,
        )
    assert not PenaltyEntry.objects.filter(kind="waiver").exists()  # rolled back with it
    bank_transfer_record(
        amount=Decimal("393.90"),
        received_on=day(10),
        reference="п/п 77",
        invoice_ids=[penalised.pk],
        actor=staff,
    )
    assert Invoice.objects.get(pk=penalised.pk).status == S.PAID
    waiver = PenaltyEntry.objects.get(kind="waiver")
    assert waiver.amount == Decimal("-1.17") and "п/п 77" in waiver.reason
    assert money(penalised).payable == Decimal("393.90")


def test_my_spending_counts_the_copay_not_the_penalty(penalised, owner):
    """«Мои расходы» sums co-pay: the 3,90 ₽ penalty is in ИТОГО К ОПЛАТЕ, not in «К оплате»."""
    from invoices.spending import spending_for_user

    assert money(penalised).penalty_total == Decimal("3.90")
    year = penalised.lines.first().service_date.year
    total = spending_for_user(owner, year=year).total
    assert (total.charged, total.paid, total.owed) == (
        Decimal("390.00"),
        Decimal("0.00"),
        Decimal("390.00"),
    )
