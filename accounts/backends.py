"""The per-address half of the login throttle (SPEC §3.1, pen-test #10 item 5).

django-axes locks an account (phone) after AXES_FAILURE_LIMIT failures. An address gets a far
higher limit of its own, LOGIN_FAILURES_PER_IP: an office or a mobile carrier puts many people
behind one IP, and one person's wrong passwords must not lock his colleagues out. The count is
read from axes' own failure rows (one per phone + address + browser, kept for the cool-off), so
every worker process sees the same number and axes' clean-up expires it.
"""

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from dms_portal import clock
from dms_portal.net import client_ip


def axes_lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: axes counts and locks per phone; addresses are counted here."""
    return ["username"]


def address_failures(*, ip: str | None) -> int:
    """Failed logins from `ip` within the cool-off, over all phones."""
    if not ip:
        return 0
    since = clock.now() - dt.timedelta(hours=float(settings.AXES_COOLOFF_TIME or 0))
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def address_throttled(*, ip: str | None) -> bool:
    return address_failures(ip=ip) >= settings.LOGIN_FAILURES_PER_IP


class AddressThrottleBackend:
    """Listed in AUTHENTICATION_BACKENDS before ModelBackend: refuses any login from an address
    over its limit. It marks the request the way axes' own backend does, so AxesMiddleware
    answers with AXES_LOCKOUT_CALLABLE on the portal's and the admin's login alike."""

    def authenticate(self, request, **credentials):
        if request is None or not address_throttled(ip=client_ip(request)):
            return None
        request.axes_locked_out = True
        request.accounts_address_throttled = True
        raise PermissionDenied("too many failed logins from this address")

    # No get_user on purpose: it logs nobody in, and Django's force_login/session lookup pick
    # the first backend that has one.
