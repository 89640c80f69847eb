"""Step «match»: a checked row against the roster (→ loaded, or held with a reason).

Twice, with one order of checks and one set of codes and texts: `match_line` in Python (the
row-by-row path, re-matching from admin) and `hold_sql` / `outcome_sql` for the set-based
PostgreSQL load and pipeline; the tests run the same files through both.
"""

# The SQL is built from constant codes and texts only.
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from franchise.selectors import activation_periods
from policies.models import InsuredPerson, Program, normalize_name

from ..models import ServiceLine
from .read import LABEL

L = ServiceLine.Status


# Hold reasons: code → (column label, text). The SQL path uses the same codes and texts.
HOLD = {
    "policy": (LABEL["policy_no"], "Полис не найден в списке застрахованных"),
    "last_name": (LABEL["last_name"], "Фамилия не совпадает со списком застрахованных"),
    "first_name": (LABEL["first_name"], "Имя не совпадает со списком застрахованных"),
    "birth_date": (LABEL["birth_date"], "Дата рождения не совпадает со списком застрахованных"),
    "period": (LABEL["service_date"], "Дата услуги вне периода действия полиса"),
    "emergency": (
        LABEL["policy_no"],
        "Застрахованный переведён на программу экстренной помощи",
    ),
    "activation": (LABEL["service_date"], "Франшиза не активирована на дату услуги"),
}
HOLD_BY_TEXT = {text: (code, column) for code, (column, text) in HOLD.items()}


@dataclass(slots=True)
class RosterEntry:
    id: int
    last_norm: str
    first_norm: str
    birth_date: dt.date
    policy_start: dt.date
    policy_end: dt.date
    emergency: bool
    activations: list  # [(period_start, period_end, effective_date)]


def roster_for(policy_numbers) -> dict[str, RosterEntry]:
    """policy number → roster facts needed to match lines, in two queries."""
    people = list(
        InsuredPerson.objects.filter(policy_number__in=list(policy_numbers)).values_list(
            "id",
            "policy_number",
            "last_name_norm",
            "first_name_norm",
            "birth_date",
            "policy_start",
            "policy_end",
            "program__kind",
        )
    )
    periods = activation_periods([p[0] for p in people])
    return {
        policy: RosterEntry(
            pk, last, first, birth, start, end, kind == Program.Kind.EMERGENCY, periods.get(pk, [])
        )
        for pk, policy, last, first, birth, start, end, kind in people
    }


def match_line(
    *, last_name: str, first_name: str, birth_date: dt.date, service_date: dt.date, entry
) -> tuple[int | None, str]:
    """(person id or None, hold code or '' when the line can be billed)."""
    if entry is None:
        return None, "policy"
    if entry.last_norm != normalize_name(last_name):
        return None, "last_name"
    if entry.first_norm != normalize_name(first_name):
        return None, "first_name"
    if entry.birth_date != birth_date:
        return None, "birth_date"
    if not entry.policy_start <= service_date <= entry.policy_end:
        return entry.id, "period"
    if entry.emergency:
        return entry.id, "emergency"
    if not any(s <= service_date <= e and eff <= service_date for s, e, eff in entry.activations):
        return entry.id, "activation"
    return entry.id, ""


def hold_sql(*, kind: str, activation_missing: str) -> str:
    """The hold code of a staged row `s` matched to a roster person `p` (NULL when the policy
    is unknown): the same order of checks as match_line above."""
    return f"""CASE
        WHEN p.id IS NULL THEN 'policy'
        WHEN p.last_name_norm <> s.last_norm THEN 'last_name'
        WHEN p.first_name_norm <> s.first_norm THEN 'first_name'
        WHEN p.birth_date <> s.birth_date THEN 'birth_date'
        WHEN s.service_date < p.policy_start OR s.service_date > p.policy_end THEN 'period'
        WHEN {kind} = 'emergency' THEN 'emergency'
        WHEN {activation_missing} THEN 'activation'
        ELSE ''
    END"""


def outcome_sql() -> str:
    """person_id, status and hold_reason of a row `m` with its hold code and matched `pid`."""
    reason_case = "CASE hold " + " ".join(
        f"WHEN '{code}' THEN '{text}'" for code, (_, text) in HOLD.items()
    )
    return f"""CASE WHEN hold IN ('policy', 'last_name', 'first_name', 'birth_date')
                     THEN NULL ELSE pid END AS person_id,
                CASE WHEN hold = '' THEN '{L.LOADED}' ELSE '{L.HELD}' END AS status,
                CASE WHEN hold = '' THEN '' ELSE {reason_case} END END AS hold_reason"""
