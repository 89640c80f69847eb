"""Start and kill a real Celery worker on Redis for delivery tests.

The worker uses the same PostgreSQL test database as the test process (transactional tests
commit, so it sees their rows) and its own queue, so nothing else consumes its tasks.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def database_url(connection) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, *, broker_url: str, connection, queue: str, log_dir: Path, **env):
        self.queue = queue
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "PYTHONPATH": str(ROOT),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "DATABASE_URL": database_url(connection),
            "TEST_CELERY_QUEUE": queue,
            **{k: str(v) for k, v in env.items()},
        }
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 60) -> "Worker":
        self.starts += 1
        log = self.log_dir / f"worker-{self.starts}.log"
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                str(CELERY),
                "-A",
                "dms_portal",
                "worker",
                "-Q",
                self.queue,
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--concurrency",
                str(self.env.get("TEST_CONCURRENCY", "1")),
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the pool children
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in log.read_text(errors="replace"):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children: no shutdown, no ack, no cleanup."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def kill_pool_child(self) -> int:
        """SIGKILL only the pool process running tasks (as the OOM killer would); the main
        process survives, sees the child lost and starts a new one."""
        children = [
            int(pid)
            for pid in os.listdir("/proc")
            if pid.isdigit() and _ppid(int(pid)) == self.process.pid
        ]
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def wait_for(predicate, *, timeout: float, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    tail = worker.output()[-4000:] if worker else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")
