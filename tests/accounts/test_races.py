"""Concurrent confirmations on PostgreSQL: one roster person, one account."""

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.models import ConsentRecord, PendingRegistration, User
from accounts.services import registration
from accounts.services.consent import consent_document_in_force
from policies.demo import seed_policies

from .conftest import last_code

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_confirmations_for_one_person_make_exactly_one_account(postgres):
    seed_policies()
    document = consent_document_in_force()
    pendings = []
    for n, phone in enumerate(["+79995550031", "+79995550032"]):
        pendings.append(
            (
                registration.registration_start(
                    last_name="Петров",
                    first_name="Пётр",
                    birth_date=dt.date(1990, 5, 15),
                    number="DMS-0003",
                    phone=phone,
                    email=f"p{n}@example.com",
                    password="Sosna-Luna-42",
                    consent_document=document,
                    binding=f"binding-{n}",
                    ip=None,
                    user_agent="test",
                ),
                f"binding-{n}",
                last_code(phone),
            )
        )
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm(pending, binding, code):
        try:
            barrier.wait()
            registration.registration_confirm(
                pending=PendingRegistration.objects.get(pk=pending.pk),
                code=code,
                binding=binding,
                ip=None,
            )
            outcomes.append("ok")
        except registration.RegistrationRefused as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=args) for args in pendings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["already", "ok"]
    assert User.objects.count() == 1
    assert ConsentRecord.objects.count() == 1
