"""Retention after a withdrawn consent (152-FZ art. 21 p. 5; docs/security.md, «Сроки хранения»).

Three stages per person, each done once and written to RetentionAction:
- consent: RETENTION_CONSENT_DAYS after the withdrawal, what was processed only because of
  the portal consent goes: doctor requests and SOS, the support chat with its files, the
  account's contacts (the account is anonymised, not deleted: appeals and the audit refer to it);
- insurance: RETENTION_INSURANCE_YEARS after the end of the policy's last year, the insurance
  records about services rendered that the person wrote: appeals with their medical files;
- accounting: RETENTION_ACCOUNTING_YEARS after the end of the year of the person's last
  invoice (and never before the insurance stage), the roster entry and the service lines are
  anonymised; invoices and payments keep their amounts, no longer linked to a name.
A consent given again (re-registration) stops the clock: only people without a consent in
force are looked at.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from accounts.models import ConsentPurpose, ConsentRecord
from care.models import Conversation, DoctorRequest, SupportAttachment
from dms_portal import clock
from feedback.models import Appeal, AppealAttachment
from invoices.models import Invoice, ServiceLine
from policies.models import InsuredPerson

from .models import RetentionAction

Stage = RetentionAction.Stage
ANONYMOUS = "Удалено"
ANONYMOUS_BIRTH_DATE = dt.date(1900, 1, 1)


def _years_after_year_end(day: dt.date, years: int) -> dt.datetime:
    """Periods in years count from the end of the year of `day` (402-FZ art. 29: from the
    31 December of the year the document belongs to); Moscow midnight."""
    return dt.datetime(day.year + 1 + years, 1, 1, tzinfo=clock.MOSCOW)


def retention_due(*, person: InsuredPerson, withdrawn_at: dt.datetime) -> dict[str, dt.datetime]:
    consent_due = withdrawn_at + dt.timedelta(days=settings.RETENTION_CONSENT_DAYS)
    insurance_due = _years_after_year_end(person.policy_end, settings.RETENTION_INSURANCE_YEARS)
    last_invoice = Invoice.objects.filter(person=person).aggregate(m=Max("formed_at"))["m"]
    accounting_from = clock.to_moscow_date(last_invoice) if last_invoice else person.policy_end
    accounting_due = _years_after_year_end(accounting_from, settings.RETENTION_ACCOUNTING_YEARS)
    return {
        Stage.CONSENT: consent_due,
        Stage.INSURANCE: max(insurance_due, consent_due),
        Stage.ACCOUNTING: max(accounting_due, insurance_due, consent_due),
    }


def _delete_files(attachments) -> int:
    count = 0
    for item in attachments:
        item.file.delete(save=False)
        count += 1
    return count


def _deleted(queryset) -> int:
    """Rows of the queryset's own model deleted (not the cascaded events and messages)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def _erase_consent_data(person: InsuredPerson, record: ConsentRecord) -> dict:
    user = record.user or person.user
    counts = {"doctor_requests": 0, "support_files": 0, "support_chats": 0, "account": 0}
    counts["doctor_requests"] = _deleted(DoctorRequest.objects.filter(person=person))
    if user is not None:
        counts["doctor_requests"] += _deleted(DoctorRequest.objects.filter(user=user))
        counts["support_files"] = _delete_files(
            SupportAttachment.objects.filter(message__conversation__user=user)
        )
        counts["support_chats"] = _deleted(Conversation.objects.filter(user=user))
        # The phone must stay unique and must never be a real number again: +7000… is no
        # Russian mobile range.
        user.phone = f"+7000{user.pk:08d}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
        counts["account"] = 1
    InsuredPerson.objects.filter(pk=person.pk).update(user=None)
    return counts


def _erase_insurance_records(person: InsuredPerson) -> dict:
    appeals = Appeal.objects.filter(person=person)
    files = _delete_files(AppealAttachment.objects.filter(appeal__in=appeals))
    return {"appeal_files": files, "appeals": _deleted(appeals)}


def _anonymise_person(person: InsuredPerson) -> dict:
    lines = ServiceLine.objects.filter(person=person).update(
        last_name=ANONYMOUS,
        first_name=ANONYMOUS,
        patronymic="",
        birth_date=ANONYMOUS_BIRTH_DATE,
        policy_no=f"ANON-{person.pk}",
    )
    person.last_name = person.first_name = ANONYMOUS
    person.patronymic = ""
    person.birth_date = ANONYMOUS_BIRTH_DATE
    person.policy_number = f"ANON-{person.pk}"
    person.employee_number = ""
    person.phone = ""
    person.save()
    return {"person": 1, "service_lines": lines}


STEPS = {
    Stage.CONSENT: _erase_consent_data,
    Stage.INSURANCE: lambda person, record: _erase_insurance_records(person),
    Stage.ACCOUNTING: lambda person, record: _anonymise_person(person),
}


def _withdrawn_without_consent():
    """The latest withdrawn portal consent of each person who has none in force."""
    in_force = ConsentRecord.objects.filter(
        person=OuterRef("person"), purpose=ConsentPurpose.PORTAL, withdrawn_at__isnull=True
    )
    return (
        ConsentRecord.objects.filter(purpose=ConsentPurpose.PORTAL, withdrawn_at__isnull=False)
        .exclude(Exists(in_force))
        .select_related("person", "user")
        .order_by("person_id", "-withdrawn_at")
    )


def retention_run() -> dict:
    """One pass of the scheduled job; returns how many stages it did, by stage."""
    now = clock.now()
    done = {stage: 0 for stage in Stage.values}
    seen = set()
    for record in _withdrawn_without_consent():
        if record.person_id in seen:
            continue
        seen.add(record.person_id)
        finished = set(
            RetentionAction.objects.filter(person_id=record.person_id).values_list(
                "stage", flat=True
            )
        )
        due = retention_due(person=record.person, withdrawn_at=record.withdrawn_at)
        for stage in Stage.values:  # in order: consent, insurance, accounting
            if stage in finished:
                continue
            if due[stage] > now:
                break
            with transaction.atomic():
                person = InsuredPerson.objects.select_for_update().get(pk=record.person_id)
                counts = STEPS[stage](person, record)
                RetentionAction.objects.create(
                    person_id=person.pk,
                    stage=stage,
                    withdrawn_at=record.withdrawn_at,
                    due_at=due[stage],
                    counts=counts,
                )
            done[stage] += 1
    return done
