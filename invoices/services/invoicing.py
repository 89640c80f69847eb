"""The invoice run (SPEC §3.3): loaded, unbilled lines → one invoice per insured person.

For period P it bills every loaded line not yet billed whose service date is on or before the
last day of P (late lines of earlier months included). Numbers `YYYY/MM/N` come from the
period's InvoiceNumberSequence row, locked for the whole run, so they are unique and gap-free
even when runs overlap (a rolled-back run rolls its numbers back too). Lines are claimed with a
conditional UPDATE (status loaded → billed), so two runs never bill one line twice. A line
under an open «Это был не я» dispute (dispute_open, SPEC §3.8) waits out the run until the
expert decides.

The run is set-based: on PostgreSQL lines are claimed and invoice lines written by single
statements; invoices are one bulk insert. It renders no PDFs and only queues the «invoice
ready» messages after commit.
"""

# ruff: noqa: S608  (SQL is built from constants; values are parameters)
from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from audit.services import audit_log
from dms_portal import clock
from dms_portal.money import percent_of
from franchise.calendar import add_business_days
from notifications.services import notify
from policies.models import Contract, InsuredPerson
from policies.services.payer import contacts_of, payer_id_of, payer_sql

from .. import queue
from ..models import (
    Clinic,
    DepositEntry,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    ServiceLine,
)
from ..money import formation_amounts
from .deposit import balances_for

ZERO = Decimal("0.00")
NOTIFY_CHUNK = 500


def parse_period(value: str) -> tuple[int, int]:
    """'2026-10' → (2026, 10); raises ValueError with a Russian message otherwise."""
    try:
        year, month = (int(part) for part in value.split("-"))
        dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"Период «{value}» не в формате ГГГГ-ММ") from exc
    return year, month


def last_closed_period(now: dt.datetime | None = None) -> tuple[int, int]:
    """The month before the current one in Moscow time."""
    today = clock.to_moscow_date(now or clock.now())
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return previous.year, previous.month


def period_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, month_calendar.monthrange(year, month)[1])


def due_date_for(contract: Contract, formed_on: dt.date) -> dt.date:
    """The contract's payment term counted from the day the invoice is formed (Moscow)."""
    if contract.payment_term_kind == Contract.TermKind.BUSINESS:
        return add_business_days(formed_on, contract.payment_term_days)
    return formed_on + dt.timedelta(days=contract.payment_term_days)


def invoice_numbers_allocate(*, year: int, month: int, count: int) -> int:
    """Reserve `count` numbers of the period; returns the first. Must run inside the caller's
    transaction: the sequence row stays locked until it commits, so a concurrent run waits and
    numbers stay gap-free."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_numbers_allocate needs a transaction")
    try:
        with transaction.atomic():
            InvoiceNumberSequence.objects.get_or_create(year=year, month=month)
    except IntegrityError:
        pass  # a concurrent run created it first; the lock below waits for that run
    sequence = InvoiceNumberSequence.objects.select_for_update().get(year=year, month=month)
    first = sequence.last + 1
    if count:
        sequence.last += count
        sequence.save(update_fields=["last"])
    return first


@dataclass
class _PersonBill:
    person_id: int
    contract_id: int
    payer_id: int
    copay: Decimal


def invoice_run(
    *, period: tuple[int, int] | dt.date, now: dt.datetime | None = None, notify: bool = True
) -> list[Invoice]:
    """Form the invoices of `period`. Returns the new invoices (empty when nothing is unbilled).

    `notify=False` leaves the «invoice ready» messages out (benchmarks measure the run alone)."""
    year, month = (period.year, period.month) if isinstance(period, dt.date) else period
    now = now or clock.now()
    last_day = period_end(year, month)
    formed_on = clock.to_moscow_date(now)
    with transaction.atomic():
        # Lock the period first: a second run of the same period waits here, then finds
        # nothing left to bill.
        invoice_numbers_allocate(year=year, month=month, count=0)
        if connection.vendor == "postgresql":
            bills, write_lines = _claim_postgres(last_day)
        else:
            bills, write_lines = _claim_batched(last_day)
        if not bills:
            return []
        first = invoice_numbers_allocate(year=year, month=month, count=len(bills))
        contracts = {
            c.pk: c for c in Contract.objects.filter(pk__in={b.contract_id for b in bills})
        }
        due = {pk: due_date_for(contract, formed_on) for pk, contract in contracts.items()}
        balances = balances_for(person_ids=None, lock=True)
        invoices = []
        for offset, bill in enumerate(bills):
            applied, amount_due = formation_amounts(
                copay=bill.copay, deposit_balance=balances.get(bill.person_id, ZERO)
            )
            sequence = first + offset
            invoices.append(
                Invoice(
                    number=f"{year}/{month:02d}/{sequence}",
                    period_year=year,
                    period_month=month,
                    sequence=sequence,
                    contract_id=bill.contract_id,
                    person_id=bill.person_id,
                    payer_id=bill.payer_id,
                    formed_at=now,
                    due_date=due[bill.contract_id],
                    copay_total=bill.copay,
                    deposit_applied=applied,
                    amount_due=amount_due,
                    # Fully covered by the deposit: paid at once (SPEC §3.3).
                    status=Invoice.Status.PAID if amount_due == 0 else Invoice.Status.NEW,
                    paid_at=now if amount_due == 0 else None,
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=5000)
        write_lines({inv.person_id: inv.pk for inv in invoices})
        applications = [
            DepositEntry(
                person_id=inv.person_id,
                kind=DepositEntry.Kind.APPLICATION,
                amount=-inv.deposit_applied,
                invoice_id=inv.pk,
                created_at=now,
                reference=f"Счёт {inv.number}",
            )
            for inv in invoices
            if inv.deposit_applied > 0
        ]
        DepositEntry.objects.bulk_create(applications)
        for entry in applications:
            audit_log(
                action="deposit.applied",
                target=entry,
                invoice=entry.invoice_id,
                amount=entry.amount,
            )
        audit_log(
            action="invoice.run",
            period=f"{year}-{month:02d}",
            invoices=len(invoices),
            first=invoices[0].number,
            last=invoices[-1].number,
        )
        if notify:
            ids = [inv.pk for inv in invoices]
            for start in range(0, len(ids), NOTIFY_CHUNK):
                chunk = ids[start : start + NOTIFY_CHUNK]
                queue.invoices_notify_ready_queue(invoice_ids=chunk)
    return invoices


def _claim_postgres(last_day: dt.date):
    """Claim the lines with one UPDATE into a temporary table; sum co-pays per person in SQL
    (round(numeric, 2) rounds half away from zero: half-up for these non-negative amounts).
    Table names come from the models' `_meta.db_table`."""
    tables = {
        "line": ServiceLine._meta.db_table,
        "person": InsuredPerson._meta.db_table,
        "contract": Contract._meta.db_table,
        "clinic": Clinic._meta.db_table,
        "invoice_line": InvoiceLine._meta.db_table,
    }
    with connection.cursor() as cursor:
        # ON COMMIT DROP ends it with the run; the DROP covers a run nested in an outer
        # transaction (seed_demo, tests) that runs twice before committing.
        cursor.execute("DROP TABLE IF EXISTS invoice_claim")
        cursor.execute(
            """CREATE TEMP TABLE invoice_claim (
                id bigint, person_id bigint, service_date date, clinic_id bigint,
                service_name text, quantity integer, amount numeric(12,2)) ON COMMIT DROP"""
        )
        cursor.execute(
            f"""WITH claimed AS (
                UPDATE {tables["line"]} SET status = %(billed)s
                WHERE status = %(loaded)s AND service_date <= %(end)s AND person_id IS NOT NULL
                  AND NOT dispute_open
                RETURNING id, person_id, service_date, clinic_id, service_name, quantity, amount
            ) INSERT INTO invoice_claim SELECT * FROM claimed""",
            {
                "billed": ServiceLine.Status.BILLED,
                "loaded": ServiceLine.Status.LOADED,
                "end": last_day,
            },
        )
        cursor.execute(
            f"""SELECT t.person_id, p.contract_id, {payer_sql("p")},
                       SUM(ROUND(t.amount * k.franchise_percent / 100, 2))
                FROM invoice_claim t
                JOIN {tables["person"]} p ON p.id = t.person_id
                JOIN {tables["contract"]} k ON k.id = p.contract_id
                GROUP BY t.person_id, p.contract_id, p.category, p.sponsor_id, p.id
                ORDER BY t.person_id"""
        )
        bills = [_PersonBill(*row) for row in cursor.fetchall()]

    def write_lines(invoice_of_person: dict[int, int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {tables["invoice_line"]} (invoice_id, service_line_id, service_date,
                    clinic_name, service_name, quantity, cost, copay)
                SELECT m.invoice_id, t.id, t.service_date, c.name, t.service_name, t.quantity,
                       t.amount, ROUND(t.amount * k.franchise_percent / 100, 2)
                FROM invoice_claim t
                JOIN unnest(%s::bigint[], %s::bigint[]) AS m(person_id, invoice_id)
                  ON m.person_id = t.person_id
                JOIN {tables["clinic"]} c ON c.id = t.clinic_id
                JOIN {tables["person"]} p ON p.id = t.person_id
                JOIN {tables["contract"]} k ON k.id = p.contract_id
                ORDER BY t.person_id, t.service_date, t.id""",
                [list(invoice_of_person), list(invoice_of_person.values())],
            )

    return bills, write_lines


def _claim_batched(last_day: dt.date):
    """The same in Python for SQLite (development): lock, compute, bulk write."""
    lines = list(
        ServiceLine.objects.select_for_update()
        .filter(
            status=ServiceLine.Status.LOADED,
            service_date__lte=last_day,
            person__isnull=False,
            dispute_open=False,
        )
        .select_related("clinic", "person__contract")
        .order_by("person_id", "service_date", "id")
    )
    by_person: dict[int, list[ServiceLine]] = defaultdict(list)
    for line in lines:
        by_person[line.person_id].append(line)
    bills = []
    copays: dict[int, Decimal] = {}
    for person_id, person_lines in by_person.items():
        person = person_lines[0].person
        percent = person.contract.franchise_percent
        for line in person_lines:
            copays[line.pk] = percent_of(line.amount, percent)
        payer = payer_id_of(person)
        total = sum((copays[line.pk] for line in person_lines), ZERO)
        bills.append(_PersonBill(person_id, person.contract_id, payer, total))
    ids = [line.pk for line in lines]
    for start in range(0, len(ids), 900):
        ServiceLine.objects.filter(pk__in=ids[start : start + 900]).update(
            status=ServiceLine.Status.BILLED
        )

    def write_lines(invoice_of_person: dict[int, int]) -> None:
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice_id=invoice_of_person[line.person_id],
                    service_line_id=line.pk,
                    service_date=line.service_date,
                    clinic_name=line.clinic.name,
                    service_name=line.service_name,
                    quantity=line.quantity,
                    cost=line.amount,
                    copay=copays[line.pk],
                )
                for line in lines
            ],
            batch_size=2000,
        )

    return bills, write_lines


def invoices_notify_ready(*, invoice_ids: list[int]) -> None:
    """Queue the «счёт сформирован» SMS and e-mail to each invoice's payer (sent once).
    Runs after the invoice run commits: an invoice paid (or annulled, or disputed) by then
    gets no «please pay» message."""
    ready = (
        Invoice.objects.filter(pk__in=invoice_ids, status=Invoice.Status.NEW)
        .owing()
        .select_related("payer__user", "person")
    )
    for invoice in ready:
        contacts = contacts_of(invoice.payer)
        if not contacts.reachable:
            continue
        notify(
            event="invoice_ready",
            key=f"invoice_ready:{invoice.pk}",
            phone=contacts.phone,
            email=contacts.email,
            user_id=contacts.user_id,
            context={"invoice": invoice, "person": invoice.person},
        )
