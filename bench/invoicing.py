"""Benchmark: one invoice run over N insured people on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/invoicing.py 100000

Creates its own database (bench_invoicing_<pid>), migrates it, generates N insured people (one
in ten a relative of an employee, a third of the relatives with a deposit) and 3 loaded service
lines each, then times `invoice_run` for October 2026 — numbering, co-pays, deposits, due dates
by the production calendar, invoice lines. Messages and PDFs are not part of the run (SPEC §5):
it runs with notify=False. Drops the database at the end.
Last line: `insured=N invoices=M seconds=S`.
"""

import datetime as dt
import io
import random
import sys
import time

from _pgdb import throwaway_database

LINES_PER_PERSON = 3


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with throwaway_database("invoicing"):
        run(n)


def run(n: int) -> None:
    from django.db import connection

    from invoices.models import Clinic, DepositEntry, Invoice, InvoiceLine
    from invoices.services.invoicing import invoice_run
    from policies.models import Contract, Employer, InsuredPerson, Program, normalize_name

    start, end = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    employer = Employer.objects.create(name="ООО «Бенч»", inn="7700000098")
    contract = Contract.objects.create(
        employer=employer, number="BENCH-INV-1", starts_on=start, ends_on=end
    )
    program = Program.objects.create(contract=contract, kind=Program.Kind.FULL, name="Полная")
    clinic = Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»")
    rng = random.Random(7)

    def person(i, category, sponsor=None):
        last, first = ("Иванов", "Иван") if category == "employee" else ("Иванова", "Мария")
        return InsuredPerson(
            contract=contract,
            program=program,
            last_name=last,
            first_name=first,
            last_name_norm=normalize_name(last),
            first_name_norm=normalize_name(first),
            birth_date=dt.date(1970 + i % 40, 1 + i % 12, 1 + i % 28),
            policy_number=f"I-{i:08d}",
            category=category,
            sponsor=sponsor,
            policy_start=start,
            policy_end=end,
        )

    relatives = n // 10
    employees = InsuredPerson.objects.bulk_create(
        [person(i, "employee") for i in range(n - relatives)], batch_size=5000
    )
    kin = InsuredPerson.objects.bulk_create(
        [person(n - relatives + i, "relative", employees[i]) for i in range(relatives)],
        batch_size=5000,
    )
    DepositEntry.objects.bulk_create(
        [
            DepositEntry(
                person=p,
                kind=DepositEntry.Kind.PAYMENT,
                amount=rng.choice(["0.50", "5.00", "500.00"]),
                created_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
                reference="bench",
            )
            for p in kin[::3]
        ],
        batch_size=5000,
    )
    buffer = io.StringIO()
    line_no = 0
    for p in [*employees, *kin]:
        for _ in range(LINES_PER_PERSON):
            line_no += 1
            day = dt.date(2026, 10, 1 + rng.randrange(31))
            qty = 1 + rng.randrange(2)
            price = rng.randrange(100, 500_000)
            amount = qty * price
            buffer.write(
                f"{clinic.pk}\tL{line_no:09d}\tR-1\t{line_no}\t{p.pk}\t{p.policy_number}\t"
                f"{p.last_name}\t{p.first_name}\t\t{p.birth_date}\t{day}\tB01\tПриём\t{qty}\t"
                f"{price // 100}.{price % 100:02d}\t{amount // 100}.{amount % 100:02d}\tloaded\t\n"
            )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY invoices_serviceline (clinic_id, line_id, registry_no, row_number, person_id, "
            "policy_no, last_name, first_name, patronymic, birth_date, service_date, "
            "service_code, service_name, quantity, unit_price, amount, status, hold_reason) "
            "FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE")
    del buffer

    t0 = time.perf_counter()
    invoices = invoice_run(
        period=(2026, 10), now=dt.datetime(2026, 11, 5, 7, tzinfo=dt.UTC), notify=False
    )
    seconds = time.perf_counter() - t0
    assert len(invoices) == n == Invoice.objects.count()
    assert InvoiceLine.objects.count() == n * LINES_PER_PERSON
    paid = Invoice.objects.filter(status=Invoice.Status.PAID).count()
    print(
        f"run: {len(invoices)} invoices ({invoices[0].number} … {invoices[-1].number}), "
        f"{n * LINES_PER_PERSON} lines, {paid} fully covered by deposits, in {seconds:.2f}s"
    )
    print(f"insured={n} invoices={len(invoices)} seconds={seconds:.2f}")


if __name__ == "__main__":
    main()
