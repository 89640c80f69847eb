"""gunicorn reads this file from the working directory. With PROMETHEUS_MULTIPROC_DIR set (the
compose file sets it for web), each worker process writes its request metrics to files there
and /metrics adds them up (monitoring/metrics.py): the folder is emptied when gunicorn starts,
so counts of a previous run are not added in, and a dead worker's live gauges are dropped."""

import os
from pathlib import Path


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # prometheus_client's files only
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
