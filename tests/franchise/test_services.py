import datetime as dt

import pytest
import time_machine

from audit.models import AuditEntry
from dms_portal.clock import MOSCOW
from franchise.consent import CONSENT_TEXT, CONSENT_TEXT_HASH, CONSENT_VERSION
from franchise.models import FranchiseActivation
from franchise.services import ActivationError, franchise_activate
from notifications.models import Message
from policies.models import InsuredPerson

pytestmark = pytest.mark.django_db

THURSDAY_EVENING = dt.datetime(2026, 3, 12, 23, 59, tzinfo=MOSCOW)


def activate(person, by, **kw):
    return franchise_activate(
        person=person,
        by=by,
        ip=kw.pop("ip", "203.0.113.7"),
        user_agent=kw.pop("user_agent", "pytest-browser"),
        consent_given=kw.pop("consent_given", True),
        **kw,
    )


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_activation_records_who_for_whom_consent_time_and_ip(demo, petrov_user):
    activation, created = activate(demo["sidorova"], petrov_user)

    assert created
    activation.refresh_from_db()
    assert activation.person == demo["sidorova"]
    assert activation.requested_by == petrov_user
    assert activation.requested_at == THURSDAY_EVENING
    assert activation.effective_date == dt.date(2026, 3, 13)
    assert activation.period_start == dt.date(2026, 1, 1)
    assert activation.period_end == dt.date(2027, 12, 31)
    assert activation.consent_version == CONSENT_VERSION
    assert activation.consent_text_hash == CONSENT_TEXT_HASH
    assert len(CONSENT_TEXT_HASH) == 64 and "Я подтверждаю и даю согласие" in CONSENT_TEXT
    assert activation.ip == "203.0.113.7"
    assert activation.user_agent == "pytest-browser"


@time_machine.travel(dt.datetime(2026, 3, 13, 0, 1, tzinfo=MOSCOW), tick=False)
def test_activation_two_minutes_later_takes_effect_after_the_weekend(demo, petrov_user):
    activation, _ = activate(demo["petrov"], petrov_user)
    assert activation.effective_date == dt.date(2026, 3, 16)


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_second_activation_is_a_no_op(demo, petrov_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = activate(demo["petrov"], petrov_user)
    messages_after_first = Message.objects.count()
    audits_after_first = AuditEntry.objects.count()

    later = dt.datetime(2026, 3, 20, 10, 0, tzinfo=MOSCOW)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        second, created_second = activate(demo["petrov"], petrov_user, ip="198.51.100.1")

    assert created_first and not created_second
    assert second.pk == first.pk
    assert FranchiseActivation.objects.count() == 1
    second.refresh_from_db()
    assert second.effective_date == dt.date(2026, 3, 13)
    assert second.ip == "203.0.113.7"
    assert Message.objects.count() == messages_after_first
    assert AuditEntry.objects.count() == audits_after_first


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_activation_sends_sms_and_email_once_and_writes_an_audit_entry(
    demo, petrov_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activation, _ = activate(demo["sidorova"], petrov_user)

    sms = Message.objects.get(event="franchise_activated", channel="sms")
    email = Message.objects.get(event="franchise_activated", channel="email")
    assert sms.recipient == "+79990000003"
    assert "DMS-0004" in sms.body and "13.03.2026" in sms.body
    assert email.recipient == "petrov@example.com"
    assert "активирована" in email.subject
    entry = AuditEntry.objects.get(action="franchise.activate")
    assert entry.actor == petrov_user
    assert entry.target_id == str(activation.pk)
    assert entry.ip == "203.0.113.7"
    assert entry.data["policy_number"] == "DMS-0004"
    assert entry.data["consent_version"] == CONSENT_VERSION


def test_activation_without_consent_is_refused_and_records_nothing(demo, petrov_user):
    with pytest.raises(ActivationError, match="Я подтверждаю и даю согласие"):
        activate(demo["petrov"], petrov_user, consent_given=False)
    assert not FranchiseActivation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_another_users_person_cannot_be_activated(demo, petrov_user, ivanov_user):
    with pytest.raises(InsuredPerson.DoesNotExist):
        activate(demo["ivanova"], petrov_user)
    assert not FranchiseActivation.objects.exists()
    assert not Message.objects.exists()


def test_an_adult_relative_registered_on_his_own_cannot_activate_his_sponsor(demo, petrov_user):
    from django.contrib.auth import get_user_model

    sidorova = demo["sidorova"]
    sidorova.user = get_user_model().objects.create_user(phone="+79990000004", password="x")
    sidorova.save(update_fields=["user"])
    with pytest.raises(InsuredPerson.DoesNotExist):
        activate(demo["petrov"], sidorova.user)
    activation, created = activate(sidorova, sidorova.user)
    assert created


@time_machine.travel(dt.datetime(2025, 12, 15, 12, 0, tzinfo=MOSCOW), tick=False)
def test_activation_before_the_policy_starts_takes_effect_on_its_first_day(demo, petrov_user):
    activation, _ = activate(demo["petrov"], petrov_user)
    assert activation.effective_date == dt.date(2026, 1, 1)


@time_machine.travel(dt.datetime(2028, 1, 10, 12, 0, tzinfo=MOSCOW), tick=False)
def test_activation_after_the_policy_ended_is_refused(demo, petrov_user):
    with pytest.raises(ActivationError, match="закончился 31.12.2027"):
        activate(demo["petrov"], petrov_user)
    assert not FranchiseActivation.objects.exists()


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_terminated_policy_cannot_be_activated(demo, petrov_user):
    InsuredPerson.objects.filter(pk=demo["petrov"].pk).update(
        status=InsuredPerson.Status.TERMINATED
    )
    with pytest.raises(ActivationError, match="прекращён"):
        activate(demo["petrov"], petrov_user)


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_a_new_policy_period_can_be_activated_again(demo, petrov_user):
    first, _ = activate(demo["petrov"], petrov_user)
    petrov = demo["petrov"]
    petrov.policy_start, petrov.policy_end = dt.date(2028, 1, 1), dt.date(2028, 12, 31)
    petrov.save()
    with time_machine.travel(dt.datetime(2028, 1, 14, 10, 0, tzinfo=MOSCOW), tick=False):
        second, created = activate(petrov, petrov_user)
    assert created and second.pk != first.pk
    assert second.effective_date == dt.date(2028, 1, 17)


@time_machine.travel(THURSDAY_EVENING, tick=False)
def test_losing_a_race_to_the_unique_constraint_reports_the_winner(demo, petrov_user, monkeypatch):
    """Two submits that both saw "not activated" (no row lock, e.g. SQLite): the database's
    unique constraint stops the second, which then answers like a repeat."""
    from franchise import services

    winner, _ = activate(demo["petrov"], petrov_user)
    real = services._current_activation
    calls = []

    def blind_first_time(person):
        calls.append(person.pk)
        return None if len(calls) == 1 else real(person)

    monkeypatch.setattr(services, "_current_activation", blind_first_time)
    activation, created = activate(demo["petrov"], petrov_user)
    assert not created and activation.pk == winner.pk
    assert FranchiseActivation.objects.count() == 1
    assert AuditEntry.objects.filter(action="franchise.activate").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_create_one_activation(demo, petrov_user, postgres):
    """Real row locks on PostgreSQL: eight simultaneous submits, one activation, one audit."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(8)
    results = []

    def submit():
        try:
            barrier.wait()
            results.append(activate(demo["petrov"], petrov_user)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    with time_machine.travel(THURSDAY_EVENING, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert FranchiseActivation.objects.count() == 1
    assert AuditEntry.objects.filter(action="franchise.activate").count() == 1
