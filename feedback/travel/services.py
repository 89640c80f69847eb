"""Issuing a bonus travel policy: rules, numbering, the PDF certificate."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from policies.models import InsuredPerson
from policies.selectors import person_ids_for_user

from ..errors import FeedbackError
from ..models import BonusTraveller, BonusTravelPolicy
from .countries import COUNTRIES


@dataclass(frozen=True)
class TravellerInput:
    person_id: int
    last_name_latin: str
    first_name_latin: str


def days_by_year(start: dt.date, end: dt.date) -> dict[int, int]:
    """Trip days per calendar year (a trip over New Year counts in both years)."""
    result: dict[int, int] = defaultdict(int)
    for year in range(start.year, end.year + 1):
        a = max(start, dt.date(year, 1, 1))
        b = min(end, dt.date(year, 12, 31))
        result[year] += (b - a).days + 1
    return dict(result)


def travel_days_used(*, person_id: int, year: int) -> int:
    used = 0
    trips = BonusTraveller.objects.filter(
        person_id=person_id,
        policy__cancelled_at__isnull=True,
        policy__start_date__lte=dt.date(year, 12, 31),
        policy__end_date__gte=dt.date(year, 1, 1),
    ).select_related("policy")
    for trip in trips:
        used += days_by_year(trip.policy.start_date, trip.policy.end_date).get(year, 0)
    return used


@transaction.atomic
def travel_policy_issue(
    *,
    user,
    countries: list[str],
    start_date: dt.date,
    end_date: dt.date,
    travellers: list[TravellerInput],
    ip: str | None = None,
) -> BonusTravelPolicy:
    """Issue a policy for the user's own people. Locks the travellers' roster rows so that two
    tabs cannot both spend the last days of the yearly limit."""
    known = dict(COUNTRIES)
    if not countries or any(code not in known for code in countries):
        raise FeedbackError("Выберите страны поездки из списка")
    if not travellers:
        raise FeedbackError("Отметьте хотя бы одного путешественника")
    today = clock.moscow_today()
    if start_date < today:
        raise FeedbackError("Дата начала поездки не может быть в прошлом")
    if end_date < start_date:
        raise FeedbackError("Дата окончания не может быть раньше даты начала")
    allowed = set(person_ids_for_user(user))
    ids = [t.person_id for t in travellers]
    if len(set(ids)) != len(ids) or not set(ids) <= allowed:
        raise FeedbackError("Оформить полис можно только на себя и своих родственников")
    people = {
        p.pk: p
        for p in InsuredPerson.objects.select_for_update()
        .select_related("contract")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    trip_days = days_by_year(start_date, end_date)
    for t in travellers:
        person = people[t.person_id]
        if start_date < person.policy_start or end_date > person.policy_end:
            raise FeedbackError(
                f"Даты поездки должны быть в пределах срока полиса ДМС {person.policy_number}: "
                f"с {person.policy_start:%d.%m.%Y} по {person.policy_end:%d.%m.%Y}"
            )
        if person.status != InsuredPerson.Status.ACTIVE:
            raise FeedbackError(f"Полис ДМС {person.policy_number} не действует")
        overlapping = (
            BonusTraveller.objects.filter(
                person_id=person.pk,
                policy__cancelled_at__isnull=True,
                policy__start_date__lte=end_date,
                policy__end_date__gte=start_date,
            )
            .select_related("policy")
            .first()
        )
        if overlapping is not None:
            # One person is on one trip at a time: a policy inside another one would only burn
            # limit days, and a consulate asks for one policy covering the whole stay.
            other = overlapping.policy
            raise FeedbackError(
                f"У {t.last_name_latin} {t.first_name_latin} уже есть бонусный полис ВЗР "
                f"{other.number} на даты {other.start_date:%d.%m.%Y}–{other.end_date:%d.%m.%Y}: "
                "поездки по бонусному ВЗР не могут пересекаться"
            )
        limit = person.contract.travel_bonus_days_per_year
        for year, days in trip_days.items():
            used = travel_days_used(person_id=person.pk, year=year)
            if used + days > limit:
                left = max(limit - used, 0)
                raise FeedbackError(
                    f"Превышен лимит бонусного ВЗР для {t.last_name_latin} {t.first_name_latin}: "
                    f"в {year} году доступно {limit} дн., использовано {used}, осталось {left}, "
                    f"а поездка занимает {days} дн."
                )
    now = clock.now()
    first = people[travellers[0].person_id]
    policy = BonusTravelPolicy.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:20]}",
        user=user,
        contract=first.contract,
        countries=list(dict.fromkeys(countries)),
        start_date=start_date,
        end_date=end_date,
        issued_at=now,
    )
    # The id makes the number unique without a sequence table; gaps do not matter here.
    policy.number = f"ВЗР-{clock.to_moscow_date(now).year}-{policy.pk:06d}"
    policy.save(update_fields=["number"])
    BonusTraveller.objects.bulk_create(
        BonusTraveller(
            policy=policy,
            person_id=t.person_id,
            last_name_latin=t.last_name_latin.upper(),
            first_name_latin=t.first_name_latin.upper(),
            birth_date=people[t.person_id].birth_date,
        )
        for t in travellers
    )
    audit_log(action="travel_policy.issue", actor=user, target=policy, ip=ip, number=policy.number)
    return policy


def travel_policy_pdf(*, policy: BonusTravelPolicy) -> bytes:
    """The certificate PDF: rendered once with WeasyPrint and kept (it never changes)."""
    if policy.pdf:
        with policy.pdf.open("rb") as fh:
            return fh.read()
    from .pdf import render_certificate

    data = render_certificate(policy)
    policy.pdf.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
    BonusTravelPolicy.objects.filter(pk=policy.pk, pdf="").update(pdf=policy.pdf.name)
    return data


@transaction.atomic
def travel_policy_cancel(*, user, policy_id: int, ip: str | None = None) -> BonusTravelPolicy:
    """Cancel the user's own policy before its trip starts; its days return to the limit."""
    policy = BonusTravelPolicy.objects.select_for_update().filter(pk=policy_id, user=user).first()
    if policy is None:
        raise FeedbackError("Полис не найден")
    if policy.cancelled_at is not None:
        return policy
    if policy.start_date <= clock.moscow_today():
        raise FeedbackError(
            f"Полис {policy.number} отменить нельзя: поездка уже началась "
            f"{policy.start_date:%d.%m.%Y}"
        )
    policy.cancelled_at = clock.now()
    policy.save(update_fields=["cancelled_at"])
    audit_log(action="travel_policy.cancel", actor=user, target=policy, ip=ip)
    return policy
