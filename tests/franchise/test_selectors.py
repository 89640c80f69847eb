import datetime as dt

import pytest

from dms_portal.clock import MOSCOW
from franchise.demo import seed_activations
from franchise.selectors import (
    ActivationState,
    activation_periods,
    activation_state,
    active_on,
    is_franchise_active,
)

pytestmark = pytest.mark.django_db


def test_demo_activations_take_effect_on_12_january_2026_from_the_calendar(demo):
    activations = seed_activations()
    assert sorted(a.person.policy_number for a in activations) == ["DMS-0001", "DMS-0002"]
    assert {a.effective_date for a in activations} == {dt.date(2026, 1, 12)}
    assert activations[0].requested_at == dt.datetime(2026, 1, 11, 12, 0, tzinfo=MOSCOW)


def test_seed_activations_is_idempotent(demo):
    first = {a.pk for a in seed_activations()}
    second = {a.pk for a in seed_activations()}
    assert first == second and len(first) == 2


def test_activation_state_labels(demo):
    seed_activations()
    ivanov, petrov = demo["ivanov"], demo["petrov"]

    assert activation_state(ivanov, dt.date(2026, 1, 12)).label == "Активирована с 12.01.2026"
    assert activation_state(ivanov, dt.date(2026, 1, 11)).label == "Будет активна с 12.01.2026"
    state = activation_state(petrov, dt.date(2026, 1, 12))
    assert state.kind == ActivationState.NONE and state.label == "Не активирована"


def test_is_franchise_active_only_from_the_effective_date_within_the_period(demo):
    seed_activations()
    ivanova, petrov = demo["ivanova"], demo["petrov"]

    assert not is_franchise_active(ivanova, dt.date(2026, 1, 11))
    assert is_franchise_active(ivanova, dt.date(2026, 1, 12))
    assert is_franchise_active(ivanova.pk, dt.date(2027, 12, 31))
    assert not is_franchise_active(ivanova, dt.date(2028, 1, 1))
    assert not is_franchise_active(petrov, dt.date(2026, 6, 1))


def test_activation_periods_answer_many_lines_with_one_query(demo, django_assert_num_queries):
    seed_activations()
    ids = [demo[k].pk for k in ("ivanov", "ivanova", "petrov")]
    with django_assert_num_queries(1):
        periods = activation_periods(ids)
    assert demo["petrov"].pk not in periods
    ivanov = periods[demo["ivanov"].pk]
    assert active_on(ivanov, dt.date(2026, 2, 1)) and not active_on(ivanov, dt.date(2026, 1, 9))
