"""«Предстоящие начисления» (SPEC §3.8): loaded, not yet invoiced lines of the user and the
relatives he sponsors, with the expected co-pay; and the «новые услуги» notice after an import.

Reads only: the invoice run (services/invoicing.py) is what moves a line off this page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from dms_portal.money import percent_of
from notifications.services import Notice, notify_many
from policies.models import InsuredPerson
from policies.selectors import people_for_user
from policies.services.payer import payer_contacts

from .models import ServiceLine
from .registry.linecheck import FLAG_FIELDS, Flag, flags_of

ZERO = Decimal("0.00")
L = ServiceLine.Status


@dataclass
class UpcomingLine:
    line: ServiceLine
    copay: Decimal
    flags: list[Flag]

    @property
    def disputed(self) -> bool:
        return self.line.dispute_open


@dataclass
class UpcomingGroup:
    person: InsuredPerson
    lines: list[UpcomingLine] = field(default_factory=list)

    @property
    def expected(self) -> Decimal:
        """What the next run is expected to bill: lines under dispute wait for the expert."""
        return sum((u.copay for u in self.lines if not u.disputed), ZERO)


def upcoming_for_user(user) -> tuple[list[UpcomingGroup], Decimal]:
    """The user's upcoming lines grouped by person (own person first) and the expected total.
    Held lines (status «Задержана») never show: only loaded ones, which a run would bill."""
    people = list(people_for_user(user))
    groups = {person.pk: UpcomingGroup(person) for person in people}
    lines = (
        ServiceLine.objects.filter(person_id__in=list(groups), status=L.LOADED)
        .select_related("clinic")
        .order_by("service_date", "id")
    )
    for line in lines:
        group = groups[line.person_id]
        copay = percent_of(line.amount, group.person.contract.franchise_percent)
        group.lines.append(UpcomingLine(line, copay, flags_of(line)))
    shown = [group for group in groups.values() if group.lines]
    return shown, sum((group.expected for group in shown), ZERO)


def upcoming_line_for_user(user, line_id) -> ServiceLine:
    """One of the user's upcoming lines (DoesNotExist otherwise): the dispute form's source."""
    return ServiceLine.objects.select_related("clinic", "person").get(
        pk=line_id,
        status=L.LOADED,
        person_id__in=list(people_for_user(user).values_list("id", flat=True)),
    )


def invoice_line_flags(lines) -> None:
    """Give a page of invoice lines their service line's flags (`line.flags`), one query."""
    lines = list(lines)
    rows = ServiceLine.objects.filter(pk__in=[line.service_line_id for line in lines]).only(
        "pk", *FLAG_FIELDS
    )
    by_id = {row.pk: flags_of(row) for row in rows}
    for line in lines:
        line.flags = by_id.get(line.service_line_id, [])


def upcoming_notify(*, registry_id: int) -> int:
    """«Новые услуги в Личном кабинете»: one SMS and e-mail per person with new loaded lines in
    this import, to the account holder who sees them; sent-once per import and person."""
    counts = dict(
        ServiceLine.objects.filter(registry_id=registry_id, status=L.LOADED)
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    people = InsuredPerson.objects.filter(pk__in=list(counts)).select_related(
        "user", "sponsor__user"
    )

    def notices():
        for person in people.iterator(chunk_size=2000):
            # The payer's account is where a relative's upcoming lines show (one rule).
            contacts = payer_contacts(person)
            if not contacts.reachable:
                continue
            yield Notice(
                event="upcoming_new",
                context={"person": person, "count": counts[person.pk]},
                phone=contacts.phone,
                email=contacts.email,
                key=f"upcoming_new:{registry_id}:{person.pk}",
                user_id=contacts.user_id,
            )

    return len(notify_many(notices()))
