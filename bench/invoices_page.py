"""Benchmark: «Мои счета» server time and query count, 5 vs 500 invoices on one page.

    python bench/invoices_page.py            # SQLite in memory (throwaway)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/invoices_page.py

Creates a throwaway test database (Django's test-database machinery: in-memory SQLite, or
test_<name> on the PostgreSQL server of DATABASE_URL, dropped at the end), builds the demo
family with 500 invoices (two services each; some paid, one payment in the history) and
another user with 5, then requests the page through Django's test client: the median of
several runs of the whole request (middleware, queries, template), and the number of queries.
Prints `invoices=5 server_ms=X queries=Q`, then last `invoices=500 server_ms=X queries=Q`.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = int(os.environ.get("BENCH_RUNS", "9"))


def measure(client, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm the template cache and the database
        client.get(url)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    rows = response.content.decode().count('aria-label="Выбрать счёт ')
    return statistics.median(times), len(queries), rows


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(Client)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(Client) -> None:
    from invoices.models import Invoice
    from payments import services
    from payments.models import SandboxCheckout
    from policies.demo import seed_policies
    from tests.payments.factories import make_invoices, make_user

    people = seed_policies()
    small = make_user(people["petrov"], phone="+79990000003")
    small_invoices = make_invoices(people["petrov"], 5)
    big = make_user(people["ivanov"], phone="+79990000001", email="ivanov@example.com")
    make_invoices(people["ivanov"], 300, status=Invoice.Status.PAID)
    make_invoices(people["ivanova"], 100)
    fresh = make_invoices(people["ivanov"], 100)
    # One settled payment in each user's «История платежей», so both pages do the same work.
    for user, invoices in ((small, small_invoices[:1]), (big, fresh[:3])):
        payment = services.payment_start(user=user, invoice_ids=[i.pk for i in invoices])
        payment = services.payment_checkout(payment=payment, return_url="http://bench/")
        SandboxCheckout.objects.filter(token=payment.provider_payment_id).update(
            status=SandboxCheckout.Status.SUCCEEDED
        )
        services.payment_sync(payment_id=payment.pk)

    for user, expected in ((small, 5), (big, 500)):
        client = Client()
        client.force_login(user)
        ms, queries, rows = measure(client, "/invoices/")
        assert rows == expected, (rows, expected)
        print(f"invoices={expected} server_ms={ms:.1f} queries={queries}", flush=True)


if __name__ == "__main__":
    main()
