"""Payment reminders (SPEC §3.6): 7 days before the due date, on the due date, and every
7 days while overdue. «Счёт сформирован» is sent by the invoice run itself, not here.

Each reminder has a key `reminder:<invoice>:<kind>:<nominal date>`, so running the job twice
a day, or again after a crash, sends nothing new; a missed day is caught up within
CATCH_UP_DAYS, after which that reminder is simply skipped (the next one will come).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Q

from dms_portal import clock
from invoices.models import Invoice
from notifications.services import Notice, notify_many
from policies.services.payer import contacts_of

from .common import invoice_context, owes, unpaid_invoices

log = logging.getLogger(__name__)

DAYS_BEFORE = 7
OVERDUE_EVERY = 7
CATCH_UP_DAYS = 2
BATCH = 1000  # invoices per notify_many call (one key lookup + one INSERT per batch)

EVENTS = {
    "due_soon": "reminder_due_soon",
    "due_today": "reminder_due_today",
    "overdue": "reminder_overdue",
}


@dataclass(frozen=True)
class Reminder:
    kind: str
    nominal: dt.date  # the day this reminder belongs to (part of its sent-once key)


def reminder_for(*, due_date: dt.date, today: dt.date) -> Reminder | None:
    """Which reminder, if any, an unpaid invoice with this due date gets today."""
    days_left = (due_date - today).days
    if DAYS_BEFORE - CATCH_UP_DAYS <= days_left <= DAYS_BEFORE:
        return Reminder("due_soon", due_date - dt.timedelta(days=DAYS_BEFORE))
    if days_left == 0:
        return Reminder("due_today", due_date)
    days_late = -days_left
    if days_late >= OVERDUE_EVERY and days_late % OVERDUE_EVERY <= CATCH_UP_DAYS:
        weeks = days_late // OVERDUE_EVERY
        return Reminder("overdue", due_date + dt.timedelta(days=weeks * OVERDUE_EVERY))
    return None


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Queue today's reminders; returns how many messages each kind created."""
    today = today or clock.moscow_today()
    soon_from = today + dt.timedelta(days=DAYS_BEFORE - CATCH_UP_DAYS)
    soon_to = today + dt.timedelta(days=DAYS_BEFORE)
    late_before = today - dt.timedelta(days=OVERDUE_EVERY - 1)
    candidates = unpaid_invoices().filter(
        Q(due_date__range=(soon_from, soon_to)) | Q(due_date=today) | Q(due_date__lt=late_before)
    )
    counts = dict.fromkeys(EVENTS, 0)
    notices: list[Notice] = []
    kinds: dict[str, str] = {}
    for invoice in candidates.order_by("pk").iterator(chunk_size=BATCH):
        reminder = reminder_for(due_date=invoice.due_date, today=today)
        if reminder is None or not owes(invoice):
            continue
        notice = reminder_notice(invoice=invoice, reminder=reminder, today=today)
        kinds[notice.key] = reminder.kind
        notices.append(notice)
        if len(notices) >= BATCH:
            _count(notify_many(notices), kinds, counts)
            notices, kinds = [], {}
    if notices:
        _count(notify_many(notices), kinds, counts)
    log.info("reminders %s: %s", today, counts)
    return counts


def _count(created: list, kinds: dict[str, str], counts: dict[str, int]) -> None:
    for message in created:
        # dedupe_key = "<notice key>:<channel>:<recipient>"; the notice key has no such tail.
        notice_key = message.dedupe_key.rsplit(":", 2)[0]
        counts[kinds[notice_key]] += 1


def reminder_notice(*, invoice: Invoice, reminder: Reminder, today: dt.date) -> Notice:
    contacts = contacts_of(invoice.payer)
    days_late = max((today - invoice.due_date).days, 0)
    return Notice(
        event=EVENTS[reminder.kind],
        context=invoice_context(invoice, days_late=days_late),
        phone=contacts.phone,
        email=contacts.email,
        user_id=contacts.user_id,
        key=f"reminder:{invoice.pk}:{reminder.kind}:{reminder.nominal.isoformat()}",
    )
