import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from debts.models import EmployerReport
from debts.services.reports import employer_reports_run, report_link
from invoices.models import Invoice
from notifications.models import Message
from policies.models import Contract, Employer, InsuredPerson, Program
from tests.staff import staff_login

from .conftest import moscow

TODAY = dt.date(2026, 7, 1)
OVERDUE = Invoice.Status.OVERDUE


@pytest.fixture
def other_employer(db):
    employer = Employer.objects.create(name="ООО «Василёк»", inn="7700000002")
    contract = Contract.objects.create(
        employer=employer,
        number="ДМС-2026-002",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        report_email="buh@vasilek.example",
    )
    program = Program.objects.create(contract=contract, kind="full", name="Полная")
    return InsuredPerson.objects.create(
        contract=contract,
        program=program,
        last_name="Смирнов",
        first_name="Олег",
        birth_date=dt.date(1980, 1, 1),
        policy_number="VAS-1",
        employee_number="77",
        category="employee",
        policy_start=dt.date(2026, 1, 1),
        policy_end=dt.date(2026, 12, 31),
    )


@pytest.fixture
def debts(people, make_invoice, other_employer):
    ivanov, child, petrov = people["ivanov"], people["child"], people["petrov"]
    return {
        # older than 2 months on 01.07.2026 (due before 01.05.2026): in the report
        "a": make_invoice(ivanov, due=dt.date(2026, 3, 31), amount="100.10", status=OVERDUE),
        "b": make_invoice(child, due=dt.date(2026, 4, 30), amount="0.90", status=OVERDUE),
        "c": make_invoice(petrov, due=dt.date(2026, 2, 2), amount="1234.56", status=OVERDUE),
        # not in it: exactly 2 months, recent, paid, disputed, another employer's person
        "d": make_invoice(ivanov, due=dt.date(2026, 5, 1), amount="7.00", status=OVERDUE),
        "e": make_invoice(petrov, due=dt.date(2026, 6, 1), amount="8.00", status=OVERDUE),
        "f": make_invoice(
            ivanov, due=dt.date(2026, 1, 10), amount="9.00", status=Invoice.Status.PAID
        ),
        "g": make_invoice(
            petrov, due=dt.date(2026, 1, 10), amount="11.00", status=Invoice.Status.DISPUTED
        ),
        "h": make_invoice(other_employer, due=dt.date(2026, 1, 10), amount="5.00", status=OVERDUE),
    }


def test_employer_report_xlsx_has_the_right_people_and_sums(debts):
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        assert employer_reports_run() == {"reports": 2, "mailed": 2}
    report = EmployerReport.objects.get(employer__inn="7700000001")
    assert (report.people, report.rows, report.total) == (3, 3, Decimal("1335.56"))
    with report.file.open("rb") as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "ООО «Ромашка»" in rows[0][0] and "01.07.2026" in rows[0][0]
    assert rows[1] == (
        "Застрахованный",
        "Категория",
        "Сотрудник",
        "Номер полиса",
        "Табельный номер",
        "Номер счёта",
        "Дата формирования",
        "Оплатить до",
        "Сумма к оплате, ₽",
        "Дней просрочки",
    )
    body = [(r[0], r[1], r[2], r[3], r[4], r[5], r[7].date(), r[8], r[9]) for r in rows[2:-1]]
    assert body == [
        ("Иванов Иван Иванович", "Сотрудник", "Иванов Иван Иванович", "DMS-0001", "1001",
         debts["a"].number, dt.date(2026, 3, 31), 100.1, 92),
        ("Иванова Мария Ивановна", "Родственник", "Иванов Иван Иванович", "DMS-0002", "1001",
         debts["b"].number, dt.date(2026, 4, 30), 0.9, 62),
        ("Петров Пётр Петрович", "Сотрудник", "Петров Пётр Петрович", "DMS-0003", "1003",
         debts["c"].number, dt.date(2026, 2, 2), 1234.56, 149),
    ]  # fmt: skip
    assert rows[-1][0] == "Итого" and rows[-1][8] == pytest.approx(1335.56)
    assert sheet.cell(row=3, column=9).number_format == "#,##0.00"


def test_report_is_mailed_once_through_the_outbox_with_a_link_to_the_xlsx(debts, client):
    """Issue #13: the report goes through the notifications service (its outbox under
    `make run`, SMTP in production) like every other message, not straight to SMTP."""
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        employer_reports_run()
        assert employer_reports_run() == {"reports": 2, "mailed": 0}
    assert mail.outbox == []  # nothing bypasses the notifications service
    messages = Message.objects.filter(event="employer_report")
    assert messages.count() == 2 and {m.status for m in messages} == {Message.Status.SENT}
    romashka = messages.get(recipient="hr@romashka.example")
    assert "застрахованных: 3, счетов: 3" in romashka.body
    link = next(w for w in romashka.body.split() if w.startswith("http"))
    assert link.startswith(settings.SITE_URL)
    with time_machine.travel(moscow(TODAY, 12), tick=False):
        response = client.get(link.removeprefix(settings.SITE_URL.rstrip("/")))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="debts-7700000001-2026-07.xlsx"')
    content = b"".join(response.streaming_content)
    assert (
        openpyxl.load_workbook(io.BytesIO(content)).active["A1"].value.startswith("ООО «Ромашка»")
    )
    report = EmployerReport.objects.get(employer__inn="7700000001")
    assert report.emailed_to == "hr@romashka.example"


def test_a_forged_or_stale_report_link_is_refused(debts, client):
    from django.core import signing

    with time_machine.travel(moscow(TODAY, 9), tick=False):
        employer_reports_run()
    report = EmployerReport.objects.get(employer__inn="7700000001")
    assert client.get(f"/debts/reports/{report.pk}/").status_code == 404
    forged = signing.dumps(report.pk, salt="other")
    assert client.get(f"/debts/reports/{forged}/").status_code == 404
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        link = report_link(report)
    with time_machine.travel(moscow(TODAY, 9) + dt.timedelta(days=61), tick=False):
        assert client.get(link.removeprefix(settings.SITE_URL.rstrip("/"))).status_code == 404


def test_failed_mail_is_retried_by_the_notifications_service(debts, monkeypatch):
    from notifications.backends import OutboxBackend, TemporaryError
    from notifications.delivery import message_deliver

    real_send = OutboxBackend.send

    def broken(self, **kwargs):
        raise TemporaryError("smtp down")

    monkeypatch.setattr(OutboxBackend, "send", broken)
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        employer_reports_run()
    assert EmployerReport.objects.filter(error__contains="smtp down").count() == 2
    queued = Message.objects.filter(event="employer_report", status=Message.Status.QUEUED)
    assert queued.count() == 2
    monkeypatch.setattr(OutboxBackend, "send", real_send)
    with time_machine.travel(moscow(TODAY, 12), tick=False):
        for message in queued:
            message_deliver(message_id=message.pk)
        assert employer_reports_run() == {"reports": 2, "mailed": 0}  # nothing sent twice
    sent = Message.objects.filter(event="employer_report", status=Message.Status.SENT)
    assert sent.count() == 2


def test_no_report_for_an_employer_without_old_debts(people, make_invoice):
    make_invoice(people["ivanov"], due=dt.date(2026, 6, 1), status=OVERDUE)
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        assert employer_reports_run() == {"reports": 0, "mailed": 0}


def test_report_downloads_from_admin(debts, client, django_user_model):
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        call_command("employer_reports")
    report = EmployerReport.objects.get(employer__inn="7700000001")
    staff_login(client, django_user_model.objects.create_superuser("+79995550000", "x"))
    listing = client.get(reverse("admin:debts_employerreport_changelist")).content.decode()
    url = reverse("admin:debts_employerreport_download", args=[report.pk])
    assert url in listing and "Скачать XLSX" in listing
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content)).active["A3"].value == "Иванов Иван Иванович"


def test_under_make_run_the_report_lands_in_the_outbox_not_smtp(debts, settings):
    """`make run` has no SMTP server (EMAIL_BACKEND is SMTP by default, on a closed port);
    the notifications outbox is its e-mail channel, and the report must land there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_CHANNEL_BACKEND = "notifications.backends.OutboxBackend"
    with time_machine.travel(moscow(TODAY, 9), tick=False):
        call_command("employer_reports")
    assert not EmployerReport.objects.exclude(error="").exists()
    assert set(
        Message.objects.filter(event="employer_report").values_list("recipient", "status")
    ) == {("hr@romashka.example", "sent"), ("buh@vasilek.example", "sent")}
