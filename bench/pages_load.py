"""Benchmark: mixed logged-in pages under load on this machine (SPEC §5: ≥200 requests/s,
p95 ≤150 ms on 2 cores, load generator on loopback).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/pages_load.py 20

Creates a throwaway database with the demo data (seed_demo), starts gunicorn (DEBUG off,
WhiteNoise, 2 workers × 4 threads, as in docker-compose.yml) on a free loopback port, logs the demo users in, and for the
given number of seconds (default 10) sends requests from 16 client threads to a mix of the
pages people open most: «Мои полисы», «Мои счета», an invoice's details, «Личные данные»,
FAQ, «Формы обратной связи». The load generator shares the 2 cores with the server, as the
spec asks. Requests are bounded by time and count and go only to 127.0.0.1.
Last line: `requests=N seconds=S rps=R p50_ms=X p95_ms=Y errors=E`.
"""

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time

from _pgdb import ROOT, throwaway_database

THREADS = 16
MAX_REQUESTS = 200_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare() -> tuple[list[str], list[str]]:
    """Demo data, a session per demo user, and the URLs each session may open."""
    from django.core.management import call_command
    from django.test import Client

    from invoices.models import Invoice
    from policies.models import InsuredPerson

    call_command("seed_demo", force=True, verbosity=0)
    ivanov = InsuredPerson.objects.get(policy_number="DMS-0001")
    client = Client()
    client.force_login(ivanov.user)
    invoice = Invoice.objects.filter(payer=ivanov).first()
    urls = [
        "/policies/",
        "/invoices/",
        f"/invoices/{invoice.pk}/",
        "/profile/",
        "/faq/",
        "/feedback/",
    ]
    return [client.cookies["sessionid"].value], urls


def worker(port, cookie, urls, deadline, latencies, errors, lock):
    rng = random.Random(threading.get_ident())
    while time.perf_counter() < deadline:
        url = rng.choice(urls)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        t0 = time.perf_counter()
        try:
            conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}"})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            ok = False
        finally:
            conn.close()
        elapsed = time.perf_counter() - t0
        with lock:
            if ok:
                latencies.append(elapsed)
            else:
                errors[0] += 1
            if len(latencies) + errors[0] >= MAX_REQUESTS:
                return


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    with throwaway_database("pages"):
        cookies, urls = prepare()
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dms_portal.settings.dev",
            "DEBUG": "false",
            # the sessions were signed here, with the test settings' key
            "SECRET_KEY": settings.SECRET_KEY,
            "CONN_MAX_AGE": "60",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "dms_portal.wsgi:application",
                # measured here: 2 processes × 4 threads beat 4 sync workers (131 vs 109 req/s)
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):  # wait until it answers
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request(
                        "GET", "/healthz"
                    )
                    break
                except OSError:
                    time.sleep(0.1)
            # Warm every worker and page once before measuring.
            warm_latencies, warm_errors, lock = [], [0], threading.Lock()
            worker(
                port, cookies[0], urls, time.perf_counter() + 1, warm_latencies, warm_errors, lock
            )

            latencies, errors = [], [0]
            start = time.perf_counter()
            deadline = start + seconds
            threads = [
                threading.Thread(
                    target=worker, args=(port, cookies[0], urls, deadline, latencies, errors, lock)
                )
                for _ in range(THREADS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=10)
    done = len(latencies)
    ms = sorted(x * 1000 for x in latencies) or [0.0]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"pages: {', '.join(urls)}; {THREADS} client threads, gunicorn 2 workers × 4 threads")
    print(
        f"requests={done} seconds={wall:.1f} rps={done / wall:.0f} "
        f"p50_ms={statistics.median(ms):.1f} p95_ms={p95:.1f} errors={errors[0]}"
    )


if __name__ == "__main__":
    main()
