"""`python -m guide.frozen <manage.py args>`: a manage.py command under the guide's clock.

The portal asks dms_portal.clock for "now", but Django itself (sessions, auto_now fields,
django-otp's TOTP window) reads the system clock, so the guide moves the whole process's clock
with time-machine instead of overriding only the seam: every date in the pictures then comes
from one clock. The clock ticks (requests still age), starting from GUIDE_CLOCK_START at the
real moment GUIDE_CLOCK_ANCHOR, so several processes (seed_demo, the server, the driver's TOTP
tokens) agree to the second. Tasks run inline in the server process (no CELERY_BROKER_URL),
so they see the same clock.
"""

import datetime as dt
import os
import sys
import time


def guide_moment(env=os.environ, real: float | None = None) -> dt.datetime:
    """The guide's "now" at the real time `real` (default: this instant), by the clock that
    `env` describes (GUIDE_CLOCK_START, GUIDE_CLOCK_ANCHOR)."""
    start = dt.datetime.fromisoformat(env["GUIDE_CLOCK_START"])
    anchor = float(env["GUIDE_CLOCK_ANCHOR"])
    return start + dt.timedelta(seconds=(time.time() if real is None else real) - anchor)


def main() -> None:
    import time_machine

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dms_portal.settings.dev")
    with time_machine.travel(guide_moment(), tick=True):
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", *sys.argv[1:]])


if __name__ == "__main__":
    main()
