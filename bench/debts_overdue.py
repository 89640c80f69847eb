"""Benchmark: the nightly debt jobs on N unpaid invoices that share one due date (as an
invoice run makes them).

    python bench/debts_overdue.py                       # SQLite in memory (throwaway)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x BENCH_N=10000 python bench/debts_overdue.py

Creates a throwaway test database, N insured people on one contract with one НОВЫЙ invoice
each (due yesterday, a quarter of the payers registered), then times, in one process:
`reminders_send` on the due date (and again: nothing new), `overdue_apply` the night after
(every invoice becomes ПРОСРОЧЕН, every person is downgraded and notified), the same job
again (nothing left to do), and the periodic restore check after half of them paid. Prints one `step=… n=… seconds=…`
line per step and the number of messages queued (delivery itself is the workers' job and is
not part of these figures), then the row counts (messages, audit entries, downgrades by
state) as a check that the fast path did the whole job. BENCH_PROFILE=<step name> prints a
cProfile of that step.
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = int(os.environ.get("BENCH_N", "5000"))


def build(n: int):
    from accounts.models import User
    from dms_portal.clock import MOSCOW
    from invoices.models import Invoice
    from policies.models import Contract, Employer, InsuredPerson, Program

    employer = Employer.objects.create(name="ООО «Бенч»", inn="7700999999")
    contract = Contract.objects.create(
        employer=employer,
        number="BENCH-1",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    full = Program.objects.create(contract=contract, kind="full", name="Полная")
    Program.objects.create(contract=contract, kind="emergency", name="Экстренная помощь")
    users = User.objects.bulk_create(
        [User(phone=f"+7999{i:07d}", email=f"u{i}@example.com") for i in range(0, n, 4)]
    )
    people = InsuredPerson.objects.bulk_create(
        [
            InsuredPerson(
                contract=contract,
                program=full,
                last_name=f"Фамилия{i}",
                first_name="Имя",
                last_name_norm=f"фамилия{i}",
                first_name_norm="имя",
                birth_date=dt.date(1980, 1, 1),
                policy_number=f"B-{i}",
                category="employee",
                policy_start=dt.date(2026, 1, 1),
                policy_end=dt.date(2026, 12, 31),
                phone=f"+7998{i:07d}",
                user=users[i // 4] if i % 4 == 0 else None,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    due = dt.date(2026, 4, 14)
    Invoice.objects.bulk_create(
        [
            Invoice(
                number=f"2026/03/{i + 1}",
                period_year=2026,
                period_month=3,
                sequence=i + 1,
                contract=contract,
                person=p,
                payer=p,
                formed_at=dt.datetime(2026, 3, 3, 12, tzinfo=MOSCOW),
                due_date=due,
                copay_total=Decimal("100.00"),
                amount_due=Decimal("100.00"),
            )
            for i, p in enumerate(people)
        ],
        batch_size=2000,
    )
    return due


def step(name: str, fn, n: int):
    profile = os.environ.get("BENCH_PROFILE") == name  # BENCH_PROFILE=<step>: where time goes
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result = fn()
    print(f"step={name} n={n} seconds={time.perf_counter() - start:.2f} result={result}")
    if profile:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return result


def run() -> None:
    import time_machine
    from django.db.models import Count

    import notifications.services
    from debts.services.overdue import overdue_apply, restore_settled
    from debts.services.reminders import reminders_send
    from dms_portal.clock import MOSCOW
    from invoices.models import Invoice
    from notifications.models import Message

    # Delivery is the workers' job (measured by the worker tests, not here): the jobs only
    # create the message rows, so enqueueing is switched off instead of running inline.
    notifications.services.enqueue = lambda message_id, body: None
    notifications.services.enqueue_many = lambda message_ids: None
    due = build(N)
    at = dt.datetime.combine(due, dt.time(10), tzinfo=MOSCOW)
    with time_machine.travel(at, tick=True):
        step("reminders_due_today", reminders_send, N)
        step("reminders_again", reminders_send, N)
    with time_machine.travel(at + dt.timedelta(hours=14, minutes=30), tick=True):
        step("apply_overdue_first_night", overdue_apply, N)
        step("apply_overdue_again", overdue_apply, N)
    Invoice.objects.filter(pk__in=Invoice.objects.order_by("pk").values("pk")[: N // 2]).update(
        status=Invoice.Status.PAID
    )
    with time_machine.travel(at + dt.timedelta(days=1), tick=True):
        step("restore_settled_half_paid", restore_settled, N)
    from audit.models import AuditEntry
    from debts.models import ProgrammeDowngrade

    print(f"messages={Message.objects.count()}")
    print(f"audit_entries={AuditEntry.objects.count()}")
    print(
        "downgrades="
        + " ".join(
            f"{row['status']}:{row['n']}"
            for row in ProgrammeDowngrade.objects.values("status").annotate(n=Count("pk"))
        )
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
