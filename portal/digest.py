"""The monthly digest «Ваш личный кабинет ДМС за <месяц>» (SPEC §3.8): once a month, an
e-mail to each account holder summarising the previous month — new upcoming charges, invoices
formed, due dates coming and appeals with their status.

It lives in `portal`, the composition root, because it reads four apps (invoices, feedback,
policies and, to send, notifications) and none of them may import all the others. Each part
is read through the owning app's selector, the same one its page uses, so the e-mail never
says something the account does not show.

Sent once per account and month: a sent-once key per month and account in the notifications
app, and accounts that already got this month's digest are skipped before anything is read
(a rerun of the job, or a changed e-mail, sends nothing twice). Nothing is sent to an account
with nothing to report, to one without an e-mail, or to one that opted out in «Личные данные».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from dms_portal import clock
from dms_portal.russian import period_name
from feedback.models import Appeal
from feedback.selectors import appeals_for_user
from invoices.models import Invoice, ServiceRegistry
from invoices.selectors import invoices_for_user
from invoices.upcoming import upcoming_for_user
from notifications.selectors import user_ids_notified
from notifications.services import notify

EVENT = "monthly_digest"
S = Invoice.Status
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def previous(cls, today: dt.date) -> Month:
        first = today.replace(day=1) - dt.timedelta(days=1)
        return cls(first.year, first.month)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=clock.MOSCOW)

    @property
    def end(self) -> dt.datetime:
        """The first moment of the next month (exclusive)."""
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return dt.datetime(year, month, 1, tzinfo=clock.MOSCOW)

    @property
    def name(self) -> str:
        """«ноябрь 2026 г.», for «… за ноябрь 2026 г.» (after «за» the accusative, which for
        a month's name is the nominative form)."""
        return f"{period_name(self.year, self.month)} г."

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass
class Digest:
    month: Month
    upcoming_count: int = 0
    upcoming_total: Decimal = ZERO
    formed: list[Invoice] = field(default_factory=list)
    due: list[Invoice] = field(default_factory=list)
    appeals: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.upcoming_count or self.formed or self.due or self.appeals)


def month_registries(month: Month) -> set[int]:
    """The registries loaded in `month`: the same for every account, read once per run."""
    return set(
        ServiceRegistry.objects.filter(
            uploaded_at__gte=month.start, uploaded_at__lt=month.end
        ).values_list("pk", flat=True)
    )


def digest_for_user(user, *, month: Month, registries: set[int] | None = None) -> Digest:
    """What happened in the user's account in `month` (and what is owed now). `registries`:
    `month_registries(month)`, passed in by a run over many accounts."""
    digest = Digest(month=month)
    if registries is None:
        registries = month_registries(month)
    groups, _ = upcoming_for_user(user)
    for group in groups:
        for item in group.lines:
            # New = loaded from a registry of that month and still waiting for an invoice; a
            # line under dispute waits for the expert and is not expected (as on the page).
            if item.line.registry_id in registries and not item.disputed:
                digest.upcoming_count += 1
                digest.upcoming_total += item.copay
    invoices = invoices_for_user(user)
    digest.formed = list(
        invoices.filter(formed_at__gte=month.start, formed_at__lt=month.end)
        .exclude(status=S.ANNULLED)
        .order_by("formed_at", "id")
    )
    # Due dates coming: whatever is still owed today, earliest due first (ИТОГО К ОПЛАТЕ
    # from `with_money`, as «Мои счета» shows it).
    digest.due = list(
        invoices.filter(status__in=[S.NEW, S.OVERDUE], payable__gt=0).order_by("due_date", "id")
    )
    digest.appeals = list(
        appeals_for_user(user)
        .filter(
            Q(status__in=Appeal.OPEN_STATUSES)
            | Q(created_at__gte=month.start, created_at__lt=month.end)
            | Q(closed_at__gte=month.start, closed_at__lt=month.end)
        )
        .order_by("created_at", "id")
    )
    return digest


def digest_recipients():
    """Account holders with an e-mail who did not opt out (staff-only accounts have no person)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, monthly_digest=True, insured_person__isnull=False)
        .exclude(email="")
        .order_by("pk")
    )


def digest_send(*, month: Month | None = None) -> dict:
    """Send the digest of `month` (by default the previous Moscow month) to every recipient
    with something to report; returns counts. Safe to run twice (see the module doc). About
    five small queries per account: a monthly job over tens of thousands of accounts takes
    minutes, and each account's e-mail commits on its own."""
    month = month or Month.previous(clock.moscow_today())
    prefix = f"{EVENT}:{month.key}:"
    done = user_ids_notified(event=EVENT, key_prefix=prefix)
    registries = month_registries(month)
    counts = {"sent": 0, "nothing_to_report": 0, "already_sent": 0}
    for user in digest_recipients().iterator(chunk_size=500):
        if user.pk in done:
            counts["already_sent"] += 1
            continue
        digest = digest_for_user(user, month=month, registries=registries)
        if digest.empty:
            counts["nothing_to_report"] += 1
            continue
        created = notify(
            event=EVENT,
            key=f"{prefix}{user.pk}",
            email=user.email,
            user_id=user.pk,
            context={
                "digest": digest,
                "today": clock.moscow_today(),
                "site_url": settings.SITE_URL,
                "insurer": settings.INSURER,
            },
        )
        counts["sent" if created else "already_sent"] += 1
    return counts
