"""Reads of the franchise app: is a person's deductible active, and what to show about it.

Other apps (invoices: holding service lines dated before activation) use
`is_franchise_active(person, on_date)` for one check and `activation_periods(person_ids)` to
check many lines with one query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from policies.models import InsuredPerson

from .models import FranchiseActivation


@dataclass(frozen=True)
class ActivationState:
    """What «Мои полисы» says about one policy."""

    NONE = "none"
    PENDING = "pending"
    ACTIVE = "active"

    kind: str
    effective_date: dt.date | None = None
    activation: FranchiseActivation | None = None

    @property
    def label(self) -> str:
        if self.kind == self.ACTIVE:
            return f"Активирована с {self.effective_date:%d.%m.%Y}"
        if self.kind == self.PENDING:
            return f"Будет активна с {self.effective_date:%d.%m.%Y}"
        return "Не активирована"

    @property
    def is_activated(self) -> bool:
        """Activated (whether or not the effective date has come): no form to show."""
        return self.kind != self.NONE


def current_activation(person: InsuredPerson) -> FranchiseActivation | None:
    """The activation of the person's current policy period, if any."""
    return FranchiseActivation.objects.filter(
        person=person, period_start=person.policy_start
    ).first()


def activation_state(
    person: InsuredPerson,
    today: dt.date,
    *,
    activation: FranchiseActivation | None | bool = False,
) -> ActivationState:
    """The person's activation state on `today` (a Moscow date) for the current policy period.

    `activation` may be passed when the caller already fetched it (None = known absent), to keep
    a page of several cards at one query.
    """
    if activation is False:
        activation = current_activation(person)
    if activation is None:
        return ActivationState(ActivationState.NONE)
    kind = ActivationState.ACTIVE if activation.effective_date <= today else ActivationState.PENDING
    return ActivationState(kind, activation.effective_date, activation)


def activations_for_people(people: Iterable[InsuredPerson]) -> dict[int, FranchiseActivation]:
    """person id → activation of that person's current policy period (one query)."""
    people = list(people)
    starts = {p.pk: p.policy_start for p in people}
    found = FranchiseActivation.objects.filter(person_id__in=starts)
    return {a.person_id: a for a in found if starts.get(a.person_id) == a.period_start}


def is_franchise_active(person: InsuredPerson | int, on_date: dt.date) -> bool:
    """Whether the deductible of `person` was active on `on_date`: an activation whose policy
    period covers the date and whose effective date is on or before it."""
    person_id = person.pk if isinstance(person, InsuredPerson) else person
    return FranchiseActivation.objects.filter(
        person_id=person_id,
        period_start__lte=on_date,
        period_end__gte=on_date,
        effective_date__lte=on_date,
    ).exists()


def activation_periods(
    person_ids: Iterable[int] | None = None,
) -> dict[int, list[tuple[dt.date, dt.date, dt.date]]]:
    """person id → [(period_start, period_end, effective_date), …] in one query, for checking
    many service lines; a line dated D is billable when some tuple has
    effective_date <= D <= period_end and period_start <= D (see `active_on`)."""
    rows = FranchiseActivation.objects.all()
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    result: dict[int, list[tuple[dt.date, dt.date, dt.date]]] = defaultdict(list)
    for person_id, start, end, effective in rows.values_list(
        "person_id", "period_start", "period_end", "effective_date"
    ):
        result[person_id].append((start, end, effective))
    return dict(result)


def active_on(periods: list[tuple[dt.date, dt.date, dt.date]], on_date: dt.date) -> bool:
    """`is_franchise_active` over the output of `activation_periods` (no query)."""
    return any(
        start <= on_date <= end and effective <= on_date for start, end, effective in periods
    )
