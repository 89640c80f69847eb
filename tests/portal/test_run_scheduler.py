"""`make run` behaves like production on schedule (issue #13, SPEC §4): scripts/run-dev.sh
starts the portal and the scheduler together; a scheduled job runs by itself, without Redis,
and both processes stop with the script."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

QUEUE_ONE = (
    "from notifications.models import Message; from dms_portal import clock;"
    "import datetime as dt;"
    "Message.objects.create(event='scheduler_probe', channel='sms', recipient='+79990000009',"
    " body='probe', scheduled_for=clock.now() - dt.timedelta(minutes=1))"
)
STATUS = (
    "from notifications.models import Message;"
    "print(Message.objects.get(event='scheduler_probe').status)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dev_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="dms_portal.settings.dev",
        MEDIA_ROOT=str(tmp_path / "media"),
        PY=sys.executable,
        NOTIFICATIONS_ECHO="0",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    return env


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_make_run_scheduler_runs_a_job_and_stops_with_the_portal(dev_env, tmp_path):
    port = _free_port()
    _manage(dev_env, "shell", "-c", QUEUE_ONE)
    log = (tmp_path / "run.log").open("w")
    env = {**dev_env, "PORT": str(port), "SCHEDULER_ARGS": "--every notifications-enqueue-due=1"}
    script = subprocess.Popen(
        ["bash", "scripts/run-dev.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = ""
        portal_up = False
        while time.monotonic() < deadline and not (portal_up and status == "sent"):
            time.sleep(1)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    portal_up = True
            except OSError:
                pass
            status = _manage(dev_env, "shell", "-c", STATUS).split()[-1]
        output = (tmp_path / "run.log").read_text()
        assert portal_up, output
        assert status == "sent", output  # the beat job, not a request, delivered it
        assert "notifications.tasks.enqueue_due_messages" in output
        assert "succeeded" in output
        assert "redis" not in output.lower()
    finally:
        script.send_signal(signal.SIGTERM)
        try:
            script.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
            raise
        log.close()
    # Both children went with the script: nobody in its process group is left.
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.killpg(script.pid, 0)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3)
