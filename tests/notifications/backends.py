"""Test channel backends. Selected by dotted path (settings or the worker's SMS_BACKEND env)."""

import os
import time

from notifications.backends import BaseBackend, PermanentError, TemporaryError


class RecordingBackend(BaseBackend):
    """Keeps what it sent in memory; `fail_with` makes the next sends raise."""

    keeps_bodies = False
    sent: list[dict] = []
    fail_with: list[Exception] = []

    def send(self, *, channel, recipient, subject, body):
        if RecordingBackend.fail_with:
            raise RecordingBackend.fail_with.pop(0)
        RecordingBackend.sent.append(
            {"channel": channel, "recipient": recipient, "subject": subject, "body": body}
        )


class SpoolGatewayBackend(BaseBackend):
    """A stand-in for an SMS gateway in another process: each accepted message is one line
    appended to the file named by NOTIFY_TEST_SPOOL (what "the gateway received").

    NOTIFY_TEST_SLEEP seconds of delay, NOTIFY_TEST_SLEEP_PHASE says where: "after" the
    gateway accepted (a slow response: the crash-between-send-and-status-update case) or
    "before" it (a slow connection: nothing left the house yet). The sleep happens only
    while the flag file NOTIFY_TEST_SLOW_FLAG exists, so a restarted worker runs fast.
    """

    keeps_bodies = True

    def send(self, *, channel, recipient, subject, body):
        slow = os.path.exists(os.environ.get("NOTIFY_TEST_SLOW_FLAG", "/nonexistent"))
        delay = float(os.environ.get("NOTIFY_TEST_SLEEP", "0")) if slow else 0
        phase = os.environ.get("NOTIFY_TEST_SLEEP_PHASE", "after")
        if phase == "before":
            time.sleep(delay)
        if os.environ.get("NOTIFY_TEST_FAIL") == "permanent":
            raise PermanentError("refused")
        if os.environ.get("NOTIFY_TEST_FAIL") == "temporary":
            raise TemporaryError("busy")
        with open(os.environ["NOTIFY_TEST_SPOOL"], "a", encoding="utf-8") as spool:
            spool.write(f"{channel} {recipient} {' '.join(body.split())}\n")
            spool.flush()
            os.fsync(spool.fileno())
        if phase == "after":
            time.sleep(delay)
