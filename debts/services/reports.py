"""Monthly employer reports (SPEC §3.6): each employer gets an XLSX of its insured people's
debts older than 2 months, e-mailed to the contracts' report address and kept for admin.

One EmployerReport per (employer, month), unique: a rerun of the job neither builds nor mails
a report twice. The e-mail goes through the notifications service (outbox in development,
SMTP in production) with a signed link to the XLSX; a failed delivery is retried there.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.services import audit_log
from dms_portal import clock
from notifications.models import Message
from notifications.services import notify
from policies.models import Employer

from ..models import EmployerReport
from ..selectors import EmployerDebts, employer_old_debts
from .xlsx import workbook_bytes

log = logging.getLogger(__name__)

HEADERS = [
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
]


def report_xlsx(*, debts: EmployerDebts, today: dt.date) -> bytes:
    def rows():
        for row in debts.rows:
            person = row.person
            sponsor = person.sponsor
            yield [
                person.full_name,
                person.get_category_display(),
                sponsor.full_name if sponsor else person.full_name,
                person.policy_number,
                (sponsor or person).employee_number,
                row.invoice.number,
                clock.to_moscow_date(row.invoice.formed_at),
                row.invoice.due_date,
                row.amount,
                row.days_overdue,
            ]

    return workbook_bytes(
        title="Задолженность",
        caption=(
            f"{debts.employer.name}: задолженность застрахованных по франшизе старше 2 месяцев "
            f"на {today:%d.%m.%Y}"
        ),
        headers=HEADERS,
        rows=rows(),
        money_columns=[9],
        date_columns=[7, 8],
        footer=["Итого", "", "", "", "", f"счетов: {len(debts.rows)}", "", "", debts.total, ""],
    )


def employer_report_build(*, employer: Employer, today: dt.date) -> EmployerReport | None:
    """This month's report of the employer; built once. None when nobody owes for that long."""
    period = today.replace(day=1)
    existing = EmployerReport.objects.filter(employer=employer, period=period).first()
    if existing is not None:
        return existing
    debts = employer_old_debts(employer=employer, today=today)
    if not debts.rows:
        return None
    content = report_xlsx(debts=debts, today=today)
    report = EmployerReport(
        employer=employer,
        period=period,
        created_at=clock.now(),
        rows=len(debts.rows),
        people=debts.people,
        total=debts.total,
    )
    report.file.save(report.download_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            report.save()
            audit_log(action="debt.employer_report", target=report, total=report.total)
    except IntegrityError:
        # A concurrent run built it first: keep theirs, drop our file.
        report.file.delete(save=False)
        return EmployerReport.objects.get(employer=employer, period=period)
    return report


def report_recipients(employer: Employer) -> list[str]:
    emails = employer.contracts.exclude(report_email="").values_list("report_email", flat=True)
    return sorted({e.strip().lower() for e in emails if e.strip()})


REPORT_LINK_SALT = "debts.employer_report"
REPORT_LINK_DAYS = 60


def report_link(report: EmployerReport) -> str:
    """A signed download address for the report's XLSX, valid REPORT_LINK_DAYS (the employer
    has no account; the link names the report and nothing else)."""
    token = signing.dumps(report.pk, salt=REPORT_LINK_SALT)
    return f"{settings.SITE_URL.rstrip('/')}{reverse('debts:employer_report', args=[token])}"


def report_from_link(token: str) -> EmployerReport | None:
    try:
        pk = signing.loads(token, salt=REPORT_LINK_SALT, max_age=REPORT_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    return EmployerReport.objects.filter(pk=pk).first()


def employer_report_send(*, report_id: int) -> EmployerReport:
    """Mail the report once, through the notifications service like every other message (its
    backend, outbox, log and sent-once key); the e-mail carries a signed link to the XLSX.
    The row lock makes a concurrent run wait and then see it sent."""
    with transaction.atomic():
        report = (
            EmployerReport.objects.select_for_update(of=("self",))
            .select_related("employer")
            .get(pk=report_id)
        )
        if report.emailed_at is not None:
            return report
        recipients = report_recipients(report.employer)
        if not recipients:
            report.error = "У договоров страхователя не указан e-mail для отчётов"
            report.save(update_fields=["error"])
            return report
        context = {"report": report, "link": report_link(report), "insurer": settings.INSURER}
        failed = []
        for recipient in recipients:
            for message in notify(
                event="employer_report",
                context=context,
                email=recipient,
                key=f"employer-report:{report.pk}",
                immediate=True,
            ):
                message.refresh_from_db(fields=["status", "error"])
                if message.status != Message.Status.SENT:
                    failed.append(f"{recipient}: {message.error}")
        if failed:
            # The queued message is retried by the notifications service itself.
            report.error = "; ".join(failed)[:2000]
            report.save(update_fields=["error"])
            log.warning("employer report %s not mailed yet: %s", report.pk, report.error)
        report.emailed_at = clock.now()
        report.emailed_to = ", ".join(recipients)[:500]
        report.save(update_fields=["emailed_at", "emailed_to"] + ([] if failed else ["error"]))
        audit_log(action="debt.employer_report_sent", target=report, to=report.emailed_to)
    return report


def employer_reports_run(*, today: dt.date | None = None) -> dict[str, int]:
    """`manage.py employer_reports` and the monthly beat."""
    today = today or clock.moscow_today()
    built = sent = 0
    for employer in Employer.objects.order_by("pk"):
        report = employer_report_build(employer=employer, today=today)
        if report is None:
            continue
        built += 1
        was_sent = report.emailed_at is not None
        report = employer_report_send(report_id=report.pk)
        sent += int(not was_sent and report.emailed_at is not None)
    return {"reports": built, "mailed": sent}
