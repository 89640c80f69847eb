"""The portal the guide photographs: its own throwaway database, demo data, a fixed clock.

The journey registers Петров and pays invoices, so it must never touch the database of
`make run`: each run makes a temporary SQLite file (or, with DATABASE_URL naming PostgreSQL,
a throwaway database on that server), migrates it, loads seed_demo and serves it with
runserver on a free port — every command through guide.frozen, under one clock.
"""

import contextlib
import datetime as dt
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .frozen import guide_moment

ROOT = Path(__file__).resolve().parent.parent
# A Tuesday in Moscow, late morning: the demo's invoices are then from October, the sandbox
# and the calendar answer on a working day, and every picture shows the same dates.
CLOCK_START = dt.datetime(2026, 11, 17, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Portal:
    url: str
    env: dict
    # seed_demo's printed development TOTP secrets, by staff group («Операторы», ...).
    totp_secrets: dict = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def sms_code(self, phone: str) -> str:
        """The one-time code of the last SMS to `phone`, read from the development outbox."""
        last = self.manage("outbox", "--phone", phone, "--last", "1")
        # "<ISO time> <channel> <recipient> <text>": the time's microseconds are six digits too.
        text = last.strip().split(" ", 3)[-1]
        found = re.search(r"\b(\d{6})\b", text)
        if found is None:
            raise RuntimeError(f"no code in the outbox for {phone}: {last!r}")
        return found.group(1)

    def totp(self, group: str) -> str:
        """The staff member's current 6-digit code, by the guide's clock (as the server's)."""
        from .totp import totp_now

        return totp_now(self.totp_secrets[group], guide_moment(self.env).timestamp())


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "guide.frozen", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def _database(workdir: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{workdir / 'guide.sqlite3'}"
        return
    import psycopg

    name = f"guide_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"the guide's portal did not start:\n{log.read_text()[-3000:]}")


def portal_env(workdir: Path, database_url: str, url: str) -> dict:
    """The environment of every process of the guide's portal (see guide.frozen)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dms_portal.settings.dev",
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "",  # tasks inline, in the server's process and clock
        "MEDIA_ROOT": str(workdir / "media"),
        "REGISTRY_INBOX_DIR": str(workdir / "inbox"),
        "SITE_URL": url,
        "NOTIFICATIONS_ECHO": "false",
        "GUIDE_CLOCK_START": CLOCK_START.isoformat(),
        "GUIDE_CLOCK_ANCHOR": repr(time.time()),
    }


@contextlib.contextmanager
def guide_portal() -> Iterator[Portal]:
    """A running portal with fresh demo data; everything it made is gone afterwards."""
    with tempfile.TemporaryDirectory(prefix="dms-guide-") as folder:
        workdir = Path(folder)
        with _database(workdir) as database_url:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = portal_env(workdir, database_url, url)
            manage(env, "migrate", "--noinput")
            seeded = manage(env, "seed_demo")
            portal = Portal(url=url, env=env, totp_secrets=_secrets(seeded))
            log = workdir / "server.log"
            with log.open("w") as out:
                server = subprocess.Popen(
                    [sys.executable, "-m", "guide.frozen", "runserver", "--noreload", str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            try:
                _wait_until_up(url, server, log)
                yield portal
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def _secrets(seed_output: str) -> dict:
    """{group: base32 secret} from seed_demo's lines «<group> (/admin/): … TOTP-секрет X …»."""
    return dict(re.findall(r"^(\S+) \(/admin/\):.*TOTP-секрет (\S+)", seed_output, re.M))
