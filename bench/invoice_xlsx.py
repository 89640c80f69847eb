"""Benchmark: peak memory of «Файл» (the XLSX of one invoice) for an invoice of N lines.

    python bench/invoice_xlsx.py [N]        # N = 50000 by default; SQLite in memory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x python bench/invoice_xlsx.py 50000

Creates a throwaway test database (as bench/invoices_page.py), one invoice of N lines for the
demo user, then requests /invoices/<id>/xlsx/ through Django's test client and reads the
response the way a server sends it (chunk by chunk, nothing kept). Python's allocations are
traced (tracemalloc) from the request to the last byte, so the peak is what one download
costs the web worker, not the database build. Also requests the details window (100 lines a
page). Prints `lines=N xlsx_bytes=B peak_mb=P seconds=S` and `details_ms=D`.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
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
        run(Client, lines)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _consume(response) -> int:
    """Bytes sent, reading as the server would: a streaming body chunk by chunk."""
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()  # FileResponse closes (and so deletes) the temporary file
        return size
    return len(response.content)


def run(Client, count: int) -> None:
    from policies.demo import seed_policies
    from tests.payments.factories import make_invoice, make_user

    people = seed_policies()
    user = make_user(people["ivanov"], phone="+79990000001")
    names = ("Приём врача-терапевта повторный", "Общий анализ крови (ОАК)", "УЗИ брюшной полости")
    invoice = make_invoice(
        people["ivanov"], lines=tuple((names[i % 3], "1500.00") for i in range(count))
    )
    client = Client()
    client.force_login(user)

    start = time.perf_counter()
    tracemalloc.start()
    response = client.get(f"/invoices/{invoice.pk}/xlsx/")
    assert response.status_code == 200, response.status_code
    size = _consume(response)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seconds = time.perf_counter() - start
    print(f"lines={count} xlsx_bytes={size} peak_mb={peak / 2**20:.1f} seconds={seconds:.1f}")

    start = time.perf_counter()
    response = client.get(f"/invoices/{invoice.pk}/?partial=1&page=2")
    assert response.status_code == 200, response.status_code
    print(f"details_ms={(time.perf_counter() - start) * 1000:.0f}")


if __name__ == "__main__":
    main()
