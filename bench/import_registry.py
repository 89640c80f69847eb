"""Benchmark: import of N registry lines on PostgreSQL vs a raw COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/import_registry.py 1000000

Creates its own database (bench_import_<pid>) on the server of DATABASE_URL, migrates it,
generates a roster (N/10 people, activated) and a CSV registry of N lines, times the real import
(`registry_import_file`: COPY of the file, set-based checks and matching on a second connection
side by side with the load into the final table, then the line checks of SPEC §3.8), then
times a raw COPY of the same rows (already typed, as the final table stores them) into a table
with the same columns, indexes and unique constraint as invoices_serviceline. Drops the database
at the end. Last line: `lines=N import_s=X copy_s=Y ratio=R`. With BENCH_PRICE_LIST=1 the clinic
has a price list for the code, and the line checks compare every line with it (the log line
«line checks in …» gives the step's time).
"""

import csv
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

from _pgdb import throwaway_database


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with throwaway_database("import") as tmp:
        run(n, tmp)


def run(n: int, tmp: Path) -> None:
    from django.db import connection

    from franchise.models import FranchiseActivation
    from invoices import queue
    from invoices.models import Clinic, ServiceLine
    from invoices.registry.importer import registry_import_file
    from invoices.registry.read import COLUMNS
    from invoices.upcoming import upcoming_notify
    from policies.models import Contract, Employer, InsuredPerson, Program, normalize_name

    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    employer = Employer.objects.create(name="ООО «Бенч»", inn="7700000099")
    contract = Contract.objects.create(
        employer=employer, number="BENCH-1", starts_on=start, ends_on=end
    )
    program = Program.objects.create(contract=contract, kind=Program.Kind.FULL, name="Полная")
    people_count = max(10, n // 10)
    last_names = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Соколов"]
    first_names = ["Иван", "Пётр", "Алексей", "Сергей", "Андрей", "Дмитрий"]
    people = []
    for i in range(people_count):
        last, first = last_names[i % 7], first_names[i % 6]
        people.append(
            InsuredPerson(
                contract=contract,
                program=program,
                last_name=last,
                first_name=first,
                last_name_norm=normalize_name(last),
                first_name_norm=normalize_name(first),
                birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                policy_number=f"B-{i:08d}",
                category=InsuredPerson.Category.EMPLOYEE,
                policy_start=start,
                policy_end=end,
            )
        )
    InsuredPerson.objects.bulk_create(people, batch_size=5000)
    FranchiseActivation.objects.bulk_create(
        [
            FranchiseActivation(
                person=p,
                period_start=start,
                period_end=end,
                requested_at=dt.datetime(2026, 1, 9, tzinfo=dt.UTC),
                effective_date=dt.date(2026, 1, 12),
                consent_version="bench",
                consent_text_hash="0" * 64,
            )
            for p in people
        ],
        batch_size=5000,
    )
    clinic = Clinic.objects.create(code="7701000001", name="Клиника «Здоровье»")
    if os.environ.get("BENCH_PRICE_LIST"):
        # The clinic's price list for the code (two lists, the newer from mid-year), so the
        # line check «Цена выше обычной» compares every line with the list of its date; as in
        # real registries, few lines (about 1 %) are above it.
        from clinics.models import PriceList, ServicePrice

        price_list = PriceList.objects.create(original_name="bench.csv", sha256="0" * 64)
        for valid_from, price in ((start, "4900.00"), (dt.date(2026, 6, 1), "4950.00")):
            ServicePrice.objects.create(
                clinic=clinic,
                service_code="B01.047.001",
                service_name="Приём врача-терапевта",
                price=price,
                valid_from=valid_from,
                price_list=price_list,
            )

    rng = random.Random(42)
    registry_path = tmp / "registry.csv"
    copy_path = tmp / "copy.tsv"
    with (
        registry_path.open("w", encoding="utf-8", newline="") as reg,
        copy_path.open("w", encoding="utf-8") as raw,
    ):
        writer = csv.writer(reg, delimiter=";")
        writer.writerow([names[0] for names in COLUMNS.values()])
        for i in range(n):
            p = people[rng.randrange(people_count)]
            day = dt.date(2026, 2, 1) + dt.timedelta(days=rng.randrange(200))
            qty = 1 + rng.randrange(3)
            price = rng.randrange(10_000, 500_000)
            price_s = f"{price // 100},{price % 100:02d}"
            amount = qty * price
            amount_s = f"{amount // 100},{amount % 100:02d}"
            writer.writerow(
                [
                    "R-2026-1",
                    clinic.code,
                    clinic.name,
                    f"L{i:09d}",
                    p.policy_number,
                    p.last_name,
                    p.first_name,
                    "",
                    p.birth_date.strftime("%d.%m.%Y"),
                    day.strftime("%d.%m.%Y"),
                    "B01.047.001",
                    "Приём врача-терапевта",
                    qty,
                    price_s,
                    amount_s,
                ]
            )
            raw.write(
                "\t".join(
                    [
                        str(clinic.pk),
                        f"L{i:09d}",
                        "R-2026-1",
                        str(i + 2),
                        str(p.pk),
                        p.policy_number,
                        p.last_name,
                        p.first_name,
                        "",
                        p.birth_date.isoformat(),
                        day.isoformat(),
                        "B01.047.001",
                        "Приём врача-терапевта",
                        str(qty),
                        price_s.replace(",", "."),
                        amount_s.replace(",", "."),
                        "loaded",
                        "",
                    ]
                )
                + "\n"
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # The «новые услуги» notice goes to Celery after the import commits; the settings here run
    # tasks eagerly, so it is held back and timed on its own (notify_s), not as the import.
    queued: list[int] = []
    queue.upcoming_notify_queue = lambda *, registry_id: queued.append(registry_id)
    t0 = time.perf_counter()
    registry = registry_import_file(path=registry_path)
    import_s = time.perf_counter() - t0
    flagged = ServiceLine.objects.filter(flag_repeat=True).count()
    if os.environ.get("BENCH_PRICE_LIST"):
        above = ServiceLine.objects.filter(flag_price=True).count()
        print(f"price list on: {above} lines flagged «Цена выше обычной»")
    t0 = time.perf_counter()
    for registry_id in queued:
        upcoming_notify(registry_id=registry_id)
    notify_s = time.perf_counter() - t0
    print(f"line checks on: {flagged} lines flagged «Повтор услуги»; notify_s={notify_s:.2f}")
    assert registry.loaded == n, (registry.status, registry.error, registry.loaded)
    print(
        f"import: loaded={registry.loaded} held={registry.held} rejected={registry.rejected} "
        f"duplicates={registry.duplicates} in {import_s:.2f}s ({n / import_s:,.0f} rows/s)"
    )

    # The baseline: the same rows, already typed, COPYed into a twin of the final table.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy_target (LIKE invoices_serviceline INCLUDING ALL)")
        columns = (
            "clinic_id, line_id, registry_no, row_number, person_id, policy_no, last_name, "
            "first_name, patronymic, birth_date, service_date, service_code, service_name, "
            "quantity, unit_price, amount, status, hold_reason"
        )
        t0 = time.perf_counter()
        with (
            cursor.cursor.copy(f"COPY bench_copy_target ({columns}) FROM STDIN") as copy,
            copy_path.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        copy_s = time.perf_counter() - t0
        cursor.execute("SELECT count(*) FROM bench_copy_target")
        assert cursor.fetchone()[0] == n
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_copy_target'")
        indexes = cursor.fetchone()[0]
    assert ServiceLine.objects.count() == n
    print(f"copy: {n} rows into a twin with {indexes} indexes in {copy_s:.2f}s")
    # The import uses two server processes at once, the raw COPY one: other load on the
    # machine weighs on the ratio, so it is printed with it.
    print(
        "machine: {} cpus, load average {:.2f} {:.2f} {:.2f}".format(
            os.cpu_count(), *os.getloadavg()
        )
    )
    print(f"lines={n} import_s={import_s:.2f} copy_s={copy_s:.2f} ratio={import_s / copy_s:.2f}")


if __name__ == "__main__":
    main()
