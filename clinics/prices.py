"""Reads of clinic price lists (SPEC §3.8, «Стоимость услуги»): the price valid on a day, found
by service name in any Russian word form, and the insured person's share of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from dms_portal import clock
from dms_portal.money import percent_of
from dms_portal.search import stems, stems_filter
from policies.models import InsuredPerson

from .models import Clinic, ServicePrice

MAX_RESULTS = 50


def prices_valid_on(day: dt.date) -> QuerySet[ServicePrice]:
    """Per clinic and service code, the price with the latest «Действует с» not after `day`:
    a newer list supersedes an older one from its first day, and a list sent ahead of time
    waits for it."""
    latest = (
        ServicePrice.objects.filter(
            clinic=OuterRef("clinic"),
            service_code=OuterRef("service_code"),
            valid_from__lte=day,
        )
        .order_by("-valid_from")
        .values("valid_from")[:1]
    )
    return ServicePrice.objects.filter(valid_from__lte=day, valid_from=Subquery(latest))


def price_clinics(day: dt.date | None = None) -> QuerySet[Clinic]:
    """The clinics with a price valid on `day` (today in Moscow): the choices of the filter."""
    day = day or clock.moscow_today()
    ids = prices_valid_on(day).values("clinic_id")
    return Clinic.objects.filter(pk__in=ids).order_by("name")


def price_search(
    *, query: str, clinic_id: int | None = None, day: dt.date | None = None
) -> list[ServicePrice]:
    """Prices valid on `day` whose service name has every word of `query` in some form
    («приема терапевтов» finds «Приём терапевта»), optionally at one clinic. At most
    MAX_RESULTS + 1 rows, so the page can say there are more."""
    day = day or clock.moscow_today()
    prices = prices_valid_on(day).select_related("clinic")
    if clinic_id is not None:
        prices = prices.filter(clinic_id=clinic_id)
    if query.strip():
        if not stems(query):
            return []  # punctuation alone names no service (and must not list them all)
        prices = stems_filter(prices, "search_stems", query)
    return list(prices.order_by("service_name", "clinic__name", "id")[: MAX_RESULTS + 1])


@dataclass(frozen=True)
class PriceRow:
    price: ServicePrice
    share: Decimal  # the person's co-payment: his contract's percent of the price


def price_rows(prices: list[ServicePrice], person: InsuredPerson) -> list[PriceRow]:
    """Each price with the person's share: the contract's franchise percent of it, rounded
    half-up to kopecks — the rule the invoice run applies to a registry line's amount."""
    percent = person.contract.franchise_percent
    return [PriceRow(price, percent_of(price.price, percent)) for price in prices]
