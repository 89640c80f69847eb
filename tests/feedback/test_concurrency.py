"""Real row locks: two requests racing for the same line or the last days of the limit."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from feedback import services
from feedback.errors import FeedbackError
from feedback.models import Appeal, AppealLine, BonusTravelPolicy
from feedback.travel.services import TravellerInput, travel_policy_issue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at once in threads (each with its own connection); return outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except FeedbackError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_disputes_of_the_same_line_at_once_give_one_appeal(postgres, world):
    invoice = world["invoice"]
    line = invoice.lines.first()

    def file():
        return services.appeal_create(
            user=world["owner"],
            person=invoice.person,
            kind=Appeal.Kind.SERVICE_DISPUTE,
            text="",
            invoice=invoice,
            line_ids=[line.pk],
            reason=Appeal.Reason.NOT_RENDERED,
        )

    outcomes = race(file, file)
    assert sum(isinstance(o, Appeal) for o in outcomes) == 1
    assert sum(isinstance(o, FeedbackError) for o in outcomes) == 1
    assert AppealLine.objects.filter(invoice_line=line, is_open=True).count() == 1


def test_two_tabs_cannot_both_spend_the_last_days_of_the_limit(postgres, world):
    me = world["ivanov"]

    def issue(start):
        return lambda: travel_policy_issue(
            user=world["owner"],
            countries=["TR"],
            start_date=start,
            end_date=start + dt.timedelta(days=19),  # 20 days of 30
            travellers=[TravellerInput(me.pk, "IVANOV", "IVAN")],
        )

    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=True):
        outcomes = race(issue(dt.date(2026, 7, 1)), issue(dt.date(2026, 8, 1)))
    assert sum(isinstance(o, BonusTravelPolicy) for o in outcomes) == 1
    assert "Превышен лимит" in str(next(o for o in outcomes if isinstance(o, FeedbackError)))
