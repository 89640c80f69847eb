"""Issue #18 item 6: after the consent is withdrawn, data are kept only for the periods the law
requires, then erased or anonymised by the scheduled job, which writes what it did.
The clock moves past each period (docs/security.md, «Сроки хранения»)."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.demo import seed_accounts
from accounts.models import ConsentRecord
from accounts.services.consent import consent_withdraw
from care.models import Conversation, DoctorRequest, SupportAttachment, SupportMessage
from feedback.models import Appeal, AppealAttachment
from invoices.models import Invoice, ServiceLine
from policies.models import InsuredPerson
from privacy.models import RetentionAction
from privacy.retention import retention_run
from tests.feedback.factories import make_invoice

WITHDRAWN = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
NOTHING = {"consent": 0, "insurance": 0, "accounting": 0}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def withdrawn(demo):
    """Иванов with a doctor request, a support chat with a file, an appeal with a medical file
    and an invoice of 2026; he withdraws his consent on 20.11.2026 (policy ends 31.12.2027)."""
    with time_machine.travel(WITHDRAWN, tick=False):
        user = seed_accounts()["ivanov_user"]
        person = demo["ivanov"]
        now = WITHDRAWN
        DoctorRequest.objects.create(
            user=user, person=person, specialty="Кардиолог", created_at=now, updated_at=now
        )
        chat = Conversation.objects.create(user=user, last_message_at=now)
        message = SupportMessage.objects.create(conversation=chat, text="Диагноз…", created_at=now)
        support_file = SupportAttachment(
            message=message, original_name="ekg.png", content_type="image/png", size=3
        )
        support_file.file.save("ekg.png", ContentFile(b"ekg"))
        invoice = make_invoice(person)
        appeal = Appeal.objects.create(
            user=user,
            person=person,
            kind=Appeal.Kind.QUESTION,
            text="Не согласен с услугой",
            created_at=now,
            deadline=now.date() + dt.timedelta(days=15),
        )
        appeal_file = AppealAttachment(
            appeal=appeal, original_name="vypiska.pdf", content_type="application/pdf", size=3
        )
        appeal_file.file.save("vypiska.pdf", ContentFile(b"pdf"))
        record = ConsentRecord.objects.get(person=person, withdrawn_at__isnull=True)
        consent_withdraw(user=user, record_id=record.pk, ip="127.0.0.1")
    return {
        "user": user,
        "person": person,
        "invoice": invoice,
        "support_path": Path(support_file.file.path),
        "appeal_path": Path(appeal_file.file.path),
    }


def run_at(moment: dt.datetime) -> dict:
    with time_machine.travel(moment, tick=False):
        return retention_run()


def test_each_period_passes_and_the_job_erases_only_what_it_allows(withdrawn):
    user, person = withdrawn["user"], withdrawn["person"]

    # 29 days: within 152-FZ art. 21 p. 5's 30 days, nothing goes.
    assert run_at(WITHDRAWN + dt.timedelta(days=29)) == NOTHING
    assert DoctorRequest.objects.exists() and withdrawn["support_path"].exists()

    # 31 days: what was processed on the consent alone is gone; the account is anonymised.
    assert run_at(WITHDRAWN + dt.timedelta(days=31)) == {**NOTHING, "consent": 1}
    assert not DoctorRequest.objects.exists()
    assert not Conversation.objects.exists() and not withdrawn["support_path"].exists()
    user.refresh_from_db()
    assert (user.email, user.first_name, user.last_name, user.is_active) == ("", "", "", False)
    assert str(user.phone).startswith("+7000") and not user.has_usable_password()
    assert Appeal.objects.exists() and withdrawn["appeal_path"].exists()  # insurance records
    action = RetentionAction.objects.get(stage="consent")
    assert action.person_id == person.pk
    assert action.counts == {
        "doctor_requests": 1,
        "support_files": 1,
        "support_chats": 1,
        "account": 1,
    }

    # 31.12.2032: accounting's 5 years have passed, but the policy (till 31.12.2027) + 5 years
    # have not; the longer period wins.
    assert run_at(dt.datetime(2032, 12, 31, 12, tzinfo=dt.UTC)) == NOTHING
    assert InsuredPerson.objects.get(pk=person.pk).last_name == "Иванов"

    # 01.01.2033 (Moscow): appeals with their medical files go, the roster entry and the
    # service lines are anonymised; the invoice keeps its amounts.
    assert run_at(dt.datetime(2033, 1, 1, 0, 30, tzinfo=dt.UTC)) == {
        **NOTHING,
        "insurance": 1,
        "accounting": 1,
    }
    assert not Appeal.objects.exists() and not withdrawn["appeal_path"].exists()
    assert not AppealAttachment.objects.exists()
    person.refresh_from_db()
    assert (person.last_name, person.first_name, person.patronymic) == ("Удалено", "Удалено", "")
    assert person.birth_date == dt.date(1900, 1, 1) and person.policy_number == f"ANON-{person.pk}"
    assert set(ServiceLine.objects.filter(person=person).values_list("last_name", flat=True)) == {
        "Удалено"
    }
    invoice = Invoice.objects.get(pk=withdrawn["invoice"].pk)
    assert invoice.copay_total == withdrawn["invoice"].copay_total
    assert list(RetentionAction.objects.order_by("id").values_list("stage", flat=True)) == [
        "consent",
        "insurance",
        "accounting",
    ]

    # Done once: later runs change nothing.
    assert run_at(dt.datetime(2040, 1, 1, tzinfo=dt.UTC)) == NOTHING


def test_accounting_period_is_its_own_step_when_it_ends_last(withdrawn, settings):
    settings.RETENTION_INSURANCE_YEARS = 0  # insurance records end 01.01.2028
    settings.RETENTION_ACCOUNTING_YEARS = 5  # the 2026 invoice: 01.01.2032
    run_at(WITHDRAWN + dt.timedelta(days=31))
    assert run_at(dt.datetime(2028, 1, 2, tzinfo=dt.UTC)) == {**NOTHING, "insurance": 1}
    assert InsuredPerson.objects.get(pk=withdrawn["person"].pk).last_name == "Иванов"
    assert run_at(dt.datetime(2031, 12, 30, tzinfo=dt.UTC)) == NOTHING
    assert run_at(dt.datetime(2032, 1, 2, tzinfo=dt.UTC)) == {**NOTHING, "accounting": 1}
    assert InsuredPerson.objects.get(pk=withdrawn["person"].pk).last_name == "Удалено"


def test_a_consent_given_again_stops_the_clock(withdrawn, demo):
    ConsentRecord.objects.create(
        person=withdrawn["person"],
        user=withdrawn["user"],
        purpose="portal",
        document=ConsentRecord.objects.first().document,
        content_hash="0" * 64,
        given_at=WITHDRAWN + dt.timedelta(days=5),
    )
    assert run_at(WITHDRAWN + dt.timedelta(days=400)) == NOTHING
    assert DoctorRequest.objects.exists()


def test_the_relatives_data_are_not_touched(withdrawn, demo):
    child = demo["ivanova"]
    run_at(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
    child.refresh_from_db()
    assert child.last_name == "Иванова"


def test_the_command_prints_what_it_did(withdrawn, capsys):
    with time_machine.travel(WITHDRAWN + dt.timedelta(days=31), tick=False):
        call_command("retention_run")
    assert capsys.readouterr().out.strip() == "consent=1 insurance=0 accounting=0"
