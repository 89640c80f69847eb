"""Benchmark: mixed logged-in pages against the framework's floor (SPEC §5, issue #19).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/pages_load.py 20
    ... python bench/pages_load.py 10 --per-page     # also each page on its own
    ... python bench/pages_load.py 10 --no-page-cache  # every page rendered every time

Creates a throwaway database with the demo data (seed_demo), runs `collectstatic` and starts
gunicorn with the production settings (`dms_portal.settings.bench`: production plus the floor
URL, DEBUG off, WhiteNoise, CACHE_URL as given or the local Redis, 2 workers × 4 threads, as in
docker-compose.yml; the page cache on, as in production) on a free loopback port, logs the demo
user in through the real login form, then sends the session and CSRF cookies that login gave,
as a browser does, while it drives with `wrk` (16 connections, 2 threads, on the same 2 cores
as the server):
- the floor: `/_bench/floor/`, a login-required view returning one line (same server, database
  and middleware);
- the mix: «Мои полисы», «Мои счета», an invoice's details, «Личные данные», FAQ, «Формы
  обратной связи», rotated request by request by wrk's Lua script.
The floor and the mix alternate (floor, mix, floor, mix) so that both see the same machine;
each phase lasts the given number of seconds (default 10) / 2. Any non-2xx answer or socket
error counts as an error. Last line:
`rps=X floor_rps=F ratio=R p50_ms=A p95_ms=B p99_ms=C errors=E` (percentiles of the mix).
"""

import contextlib
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from _pgdb import ROOT, throwaway_database

CONNECTIONS = 16
WRK_THREADS = 2
PHONE, PASSWORD = "+79990000001", "Demo-2026!"

# Per thread: rotate the paths (each thread starts at another one) and count non-2xx answers;
# done() prints one JSON line the script reads.
LUA = r"""
local paths = {%(paths)s}
local threads = {}
local counter = 1
function setup(thread)
  thread:set("offset", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  i = offset
  non2xx = 0
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "non2xx": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p95_us": %%d, "p99_us": %%d}\n',
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)…", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("wrk is needed: sudo apt-get install -y wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed() -> int:
    """Demo data with the production password hasher; returns an invoice id of the demo user."""
    from django.core.management import call_command
    from django.test import override_settings

    from invoices.models import Invoice
    from policies.models import InsuredPerson

    # The test settings hash with MD5, which the production settings would not accept.
    hashers = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers), contextlib.redirect_stdout(io.StringIO()):
        call_command("seed_demo", force=True, verbosity=0)
    ivanov = InsuredPerson.objects.get(policy_number="DMS-0001")
    return Invoice.objects.filter(payer=ivanov).order_by("pk").first().pk


def login(port: int) -> str:
    """The real login form: GET for the CSRF token, POST phone and password; the cookies a
    browser would then send (session and CSRF)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/")
    response = conn.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not (csrf_cookie and token):
        sys.exit(f"login page without a CSRF token (status {response.status})")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": PHONE, "password": PASSWORD}
    )
    conn.request(
        "POST",
        "/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = response.getheader("Set-Cookie") or ""
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        sys.exit(f"login failed: status {response.status}")
    # Login gives a new CSRF secret; a browser sends it back with every request, as wrk will.
    rotated = re.search(r"csrftoken=([^;]+)", cookies)
    csrf = rotated.group(1) if rotated else csrf_cookie.group(1)
    return f"sessionid={session.group(1)}; csrftoken={csrf}"


def run_wrk(wrk: str, port: int, cookie: str, paths: list[str], seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    try:
        out = subprocess.run(
            [
                wrk,
                f"-t{WRK_THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    result = json.loads(out.strip().splitlines()[-1])
    result["seconds"] = result["duration_us"] / 1e6
    return result


def combine(runs: list[dict]) -> dict:
    """Sum of requests over the phases; the percentiles are request-weighted means."""
    total = sum(r["requests"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    weighted = {
        key: sum(r[key] * r["requests"] for r in runs) / max(total, 1) / 1000
        for key in ("p50_us", "p95_us", "p99_us")
    }
    return {
        "requests": total,
        "rps": total / seconds,
        "p50_ms": weighted["p50_us"],
        "p95_ms": weighted["p95_us"],
        "p99_ms": weighted["p99_us"],
        "errors": sum(r["non2xx"] + r["socket_errors"] for r in runs),
    }


def start_server(port: int, static_root: Path, *, page_cache: bool) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dms_portal.settings.bench",
        "SECRET_KEY": "bench-" + settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/5"),
        # Plain HTTP on loopback: no redirect to HTTPS (the proxy does TLS in production).
        "SECURE_SSL_REDIRECT": "false",
        # Production settings accept only a real provider; no payment is made here.
        "PAYMENT_PROVIDER": "yookassa",
        "YOOKASSA_SHOP_ID": "bench",
        "YOOKASSA_SECRET_KEY": "bench",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    if not page_cache:  # every page rendered on every request: the figures before #19's cache
        env["PAGE_CACHE_SECONDS"] = "0"
    env.pop("CELERY_BROKER_URL", None)  # pages start no tasks; nothing to queue
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "dms_portal.wsgi:application",
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
    for _ in range(300):  # wait until it answers
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not answer")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    per_page = "--per-page" in sys.argv
    page_cache = "--no-page-cache" not in sys.argv
    seconds = float(args[0]) if args else 10.0
    wrk = wrk_binary()
    with throwaway_database("pages") as tmp:
        invoice_id = seed()
        from django.db import connections

        connections.close_all()
        paths = [
            "/policies/",
            "/invoices/",
            f"/invoices/{invoice_id}/",
            "/profile/",
            "/faq/",
            "/feedback/",
        ]
        port = free_port()
        server = start_server(port, tmp / "static", page_cache=page_cache)
        try:
            cookie = login(port)
            # Warm every worker, page and cache before measuring.
            run_wrk(wrk, port, cookie, paths + ["/_bench/floor/"], 1)
            floor, mix = [], []
            for _ in range(2):
                floor.append(run_wrk(wrk, port, cookie, ["/_bench/floor/"], seconds / 2))
                mix.append(run_wrk(wrk, port, cookie, paths, seconds / 2))
            pages = {}
            if per_page:
                for path in paths:
                    pages[path] = combine([run_wrk(wrk, port, cookie, [path], seconds / 2)])
        finally:
            server.terminate()
            server.wait(timeout=30)
    f, m = combine(floor), combine(mix)
    load = os.getloadavg()[0]
    print(
        f"mix: {', '.join(paths)}; wrk {WRK_THREADS} threads × {CONNECTIONS} connections, "
        f"gunicorn 2 workers × 4 threads, {os.cpu_count()} cores, load average {load:.1f}, "
        f"page cache {'on' if page_cache else 'off'}"
    )
    for path, page in pages.items():
        print(
            f"page {path}: rps={page['rps']:.0f} p50_ms={page['p50_ms']:.1f} "
            f"p95_ms={page['p95_ms']:.1f} errors={page['errors']}"
        )
    print(
        f"floor: requests={f['requests']} rps={f['rps']:.0f} p50_ms={f['p50_ms']:.1f} "
        f"p95_ms={f['p95_ms']:.1f} errors={f['errors']}"
    )
    print(f"mix: requests={m['requests']}")
    print(
        f"rps={m['rps']:.0f} floor_rps={f['rps']:.0f} ratio={m['rps'] / max(f['rps'], 1):.2f} "
        f"p50_ms={m['p50_ms']:.1f} p95_ms={m['p95_ms']:.1f} p99_ms={m['p99_ms']:.1f} "
        f"errors={m['errors'] + f['errors']}"
    )


if __name__ == "__main__":
    main()
