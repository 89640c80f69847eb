"""The operator's queue of held lines: re-match them against the roster, or dismiss them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from audit.services import audit_log

from ..models import ServiceLine
from ..registry.match import HOLD, match_line, roster_for

L = ServiceLine.Status


@transaction.atomic
def held_lines_rematch(*, line_ids: Iterable[int], actor=None) -> tuple[int, int]:
    """Match held lines again (after the roster or an activation was fixed). Returns
    (loaded, still held). Only lines still held are touched."""
    lines = list(
        ServiceLine.objects.select_for_update().filter(pk__in=list(line_ids), status=L.HELD)
    )
    roster = roster_for({line.policy_no for line in lines})
    loaded = 0
    for line in lines:
        person_id, hold = match_line(
            last_name=line.last_name,
            first_name=line.first_name,
            birth_date=line.birth_date,
            service_date=line.service_date,
            entry=roster.get(line.policy_no),
        )
        line.person_id = person_id
        line.status = L.HELD if hold else L.LOADED
        line.hold_reason = HOLD[hold][1] if hold else ""
        loaded += 0 if hold else 1
    ServiceLine.objects.bulk_update(lines, ["person", "status", "hold_reason"])
    audit_log(
        action="service_lines.rematch",
        actor=actor,
        lines=",".join(str(line.pk) for line in lines),
        loaded=loaded,
    )
    return loaded, len(lines) - loaded


@transaction.atomic
def held_lines_dismiss(*, line_ids: Iterable[int], actor=None) -> int:
    """Dismiss held lines: they are never billed; the same line sent again is a duplicate."""
    ids = list(
        ServiceLine.objects.select_for_update()
        .filter(pk__in=list(line_ids), status=L.HELD)
        .values_list("pk", flat=True)
    )
    ServiceLine.objects.filter(pk__in=ids).update(status=L.DISMISSED)
    audit_log(
        action="service_lines.dismiss", actor=actor, lines=",".join(map(str, ids)), count=len(ids)
    )
    return len(ids)
