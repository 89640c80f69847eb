"""Reads for accounts: the roster match of registration, the consent texts and records."""

import datetime as dt

from django.db.models import Q

from dms_portal import clock
from policies.models import InsuredPerson, normalize_name

from .models import ConsentDocument, ConsentPurpose, ConsentRecord


def roster_person_find(
    *, last_name: str, first_name: str, birth_date: dt.date, number: str
) -> InsuredPerson | None:
    """The roster person with this name and birth date whose policy number or employee
    number is `number` (case- and ё/е-insensitive names; numbers compared ignoring case)."""
    number = " ".join((number or "").split())
    if not number:
        return None
    return (
        InsuredPerson.objects.filter(
            last_name_norm=normalize_name(last_name),
            first_name_norm=normalize_name(first_name),
            birth_date=birth_date,
        )
        .filter(Q(policy_number__iexact=number) | Q(employee_number__iexact=number))
        .select_related("user")
        .order_by("id")
        .first()
    )


def consent_document_current(purpose: str = ConsentPurpose.PORTAL) -> ConsentDocument | None:
    """The latest version already published (a version may be entered ahead of its date)."""
    return (
        ConsentDocument.objects.filter(purpose=purpose, published_at__lte=clock.now())
        .order_by("-published_at", "-id")
        .first()
    )


def consent_in_force(*, person, purpose: str = ConsentPurpose.PORTAL) -> ConsentRecord | None:
    if person is None:
        return None
    return (
        ConsentRecord.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True)
        .select_related("document")
        .first()
    )


def consent_history(*, person) -> list[ConsentRecord]:
    if person is None:
        return []
    return list(ConsentRecord.objects.filter(person=person).select_related("document"))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on `day` (someone born on 29 February turns a year older on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
