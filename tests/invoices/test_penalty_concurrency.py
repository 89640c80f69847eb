"""Two runs of the daily «Неустойка» job at the same moment (two beat deliveries, two workers),
on PostgreSQL with real row locks: every day is accrued once, and a payment holding an
invoice's row is never waited for."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connections, transaction

from dms_portal.clock import MOSCOW
from invoices.models import Invoice, PenaltyEntry
from invoices.services.penalty import penalty_accrue
from tests.payments.test_concurrency import run_together

from .test_penalty import contract_with_penalty, day, overdue_invoice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(3))
def test_two_runs_at_once_accrue_each_day_once(postgres, demo, attempt):
    contract_with_penalty(demo)
    invoices = [overdue_invoice(demo["ivanov"]) for _ in range(4)]
    moment = dt.datetime.combine(day(5), dt.time(0, 10), tzinfo=MOSCOW)
    with time_machine.travel(moment, tick=False):
        results = run_together(
            lambda: penalty_accrue(batch_size=2), lambda: penalty_accrue(batch_size=2)
        )
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["days"] for r in results) == 4 * 5
    for invoice in invoices:
        assert PenaltyEntry.objects.filter(invoice=invoice).count() == 5
        assert Invoice.objects.with_money().get(pk=invoice.pk).penalty_total == Decimal("1.95")


def test_a_row_held_by_a_payment_is_skipped_not_waited_for(postgres, demo):
    contract_with_penalty(demo)
    held, free = overdue_invoice(demo["ivanov"]), overdue_invoice(demo["ivanov"])
    moment = dt.datetime.combine(day(2), dt.time(0, 10), tzinfo=MOSCOW)
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Invoice.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(20)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(20)
    with time_machine.travel(moment, tick=False):
        first = penalty_accrue()
    release.set()
    holder.join(20)
    assert first["days"] == 2
    assert PenaltyEntry.objects.filter(invoice=held).count() == 0
    with time_machine.travel(moment, tick=False):
        assert penalty_accrue()["days"] == 2  # the next run catches it up
    assert PenaltyEntry.objects.filter(invoice=held).count() == 2
    assert PenaltyEntry.objects.filter(invoice=free).count() == 2
