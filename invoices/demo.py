"""Demo invoices of SPEC §4, made through the real import, invoice-run, payment and deposit
services, so the demo shows exactly what production produces.

- Иванов: two lines dated in the month before last, invoiced early last month and paid by bank
  transfer (one invoice, co-pay 1.00 ₽, ОПЛАЧЕН; the transfer is seed_demo's payment step, so
  it is in «История платежей»); four lines of 1.00 ₽ dated last month,
  invoiced 7 days before the first seed (НОВЫЙ, 0.80 ₽, not overdue);
- his child Мария: two lines of 2.50 ₽ dated last month (co-pay 1.00 ₽), a 0.50 ₽ deposit paid
  for her policy the day before that run and applied (НОВЫЙ, ИТОГО К ОПЛАТЕ 0.50 ₽).
Idempotent: once the demo lines exist, nothing is done again.
"""

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from dms_portal import clock
from policies.models import InsuredPerson

from .models import Clinic, Invoice, ServiceLine
from .pricelist import pricelist_load_path
from .registry.importer import registry_import_file
from .registry.read import COLUMNS
from .services.deposit import deposit_payment_record
from .services.invoicing import invoice_run

CLINIC_CODE = "7701000001"
CLINIC_NAME = "Клиника «Здоровье»"
LINE_PREFIX = "DEMO-"


def _moscow(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.MOSCOW)


# The demo's bank transfer for Иванов's invoice of the month before last.
PAID_REFERENCE = "Банковский перевод, п/п № 1024"
PAID_DAYS_AFTER_RUN = 3


def paid_demo_invoice() -> tuple[Invoice, dt.date] | None:
    """Иванов's demo invoice of the month before last while still unpaid, with the day the
    demo's transfer arrived; None once paid (the payment step is idempotent) or absent."""
    invoice = (
        Invoice.objects.filter(
            person__policy_number="DMS-0001",
            status=Invoice.Status.NEW,
            lines__service_line__line_id=f"{LINE_PREFIX}1",
            lines__service_line__clinic__code=CLINIC_CODE,
        )
        .with_money()
        .first()
    )
    if invoice is None:
        return None
    received = clock.to_moscow_date(invoice.formed_at) + dt.timedelta(days=PAID_DAYS_AFTER_RUN)
    return invoice, received


def seed_invoices() -> dict:
    ivanov = InsuredPerson.objects.filter(policy_number="DMS-0001").first()
    child = InsuredPerson.objects.filter(policy_number="DMS-0002").first()
    if ivanov is None or child is None:
        return {}
    if ServiceLine.objects.filter(
        clinic__code=CLINIC_CODE, line_id__startswith=LINE_PREFIX
    ).exists():
        return {}
    Clinic.objects.get_or_create(code=CLINIC_CODE, defaults={"name": CLINIC_NAME})

    now = clock.now()
    this_month = clock.to_moscow_date(now).replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    before_last = (last_month - dt.timedelta(days=1)).replace(day=1)

    def row(n, person, day, price, name, code):
        return [
            f"DEMO-{before_last:%Y-%m}",
            CLINIC_CODE,
            CLINIC_NAME,
            f"{LINE_PREFIX}{n}",
            person.policy_number,
            person.last_name,
            person.first_name,
            person.patronymic,
            f"{person.birth_date:%d.%m.%Y}",
            f"{day:%d.%m.%Y}",
            code,
            name,
            "1",
            price,
            price,
        ]

    rows = [
        row(1, ivanov, before_last.replace(day=13), "2,50", "Приём врача-терапевта", "B01.047.001"),
        row(2, ivanov, before_last.replace(day=14), "2,50", "Общий анализ крови", "B03.016.003"),
        row(3, ivanov, last_month.replace(day=13), "1,00", "Закапывание в глаза", "A11.26.011"),
        row(4, ivanov, last_month.replace(day=14), "1,00", "Измерение температуры", "A02.31.001"),
        row(5, ivanov, last_month.replace(day=15), "1,00", "Измерение давления", "A02.12.002"),
        row(6, ivanov, last_month.replace(day=16), "1,00", "Пульсоксиметрия", "A12.09.005"),
        row(7, child, last_month.replace(day=13), "2,50", "Приём врача-педиатра", "B01.031.001"),
        row(8, child, last_month.replace(day=14), "2,50", "Осмотр ЛОР-врача", "B01.028.001"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"registry-demo-{before_last:%Y-%m}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow([names[0] for names in COLUMNS.values()])
            writer.writerows(rows)
        registry = registry_import_file(path=path, original_name=path.name)

    # The month before last: invoiced on the 5th of last month; paid by transfer 3 days later
    # through the payments app (`paid_demo_invoice`, seed_demo's payment step), so the
    # payment shows in «История платежей» like any other.
    paid = invoice_run(period=before_last, now=_moscow(last_month.replace(day=5), 10))
    # Last month: a deposit for the child the day before, the run 7 days ago.
    run_at = now - dt.timedelta(days=7)
    deposit_payment_record(
        person=child,
        amount=Decimal("0.50"),
        paid_at=run_at - dt.timedelta(days=1),
        reference="Гарантийный взнос, п/п № 1025",
    )
    current = invoice_run(period=last_month, now=run_at)
    return {"registry": registry, "paid": paid, "current": current}


DEMO_PRICE_LIST = Path(__file__).resolve().parent.parent / "samples" / "pricelist_demo.csv"


def seed_prices() -> dict:
    """The demo clinic's price list (samples/pricelist_demo.csv) through the real loader, for
    «Стоимость услуги». Idempotent: the loader skips a file it has loaded before."""
    price_list, _ = pricelist_load_path(path=DEMO_PRICE_LIST)
    return {"price_list": price_list}
