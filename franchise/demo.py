"""Demo activations of SPEC §4: Иванов and his child active from 12.01.2026; Петров and
Сидорова not activated (they are for trying it)."""

import datetime as dt

from dms_portal.clock import MOSCOW
from policies.models import InsuredPerson

from .models import FranchiseActivation
from .services import activation_record

# A Sunday at noon in Moscow: the calendar makes the next working day Monday 12.01.2026 (the
# New Year break and its transferred day off, 09.01, come before it). The date is derived,
# not typed in, so the demo also exercises the calendar.
DEMO_REQUESTED_AT = dt.datetime(2026, 1, 11, 12, 0, tzinfo=MOSCOW)
DEMO_ACTIVATED = ("DMS-0001", "DMS-0002")


def seed_activations() -> list[FranchiseActivation]:
    people = InsuredPerson.objects.filter(policy_number__in=DEMO_ACTIVATED).select_related(
        "sponsor__user", "user"
    )
    activations = []
    for person in people:
        # The sponsor (Иванов) activates for both; his account may not exist yet if the
        # accounts step is absent, in which case the record has no "by" user.
        by = person.user or (person.sponsor.user if person.sponsor_id else None)
        activation, _ = activation_record(
            person=person,
            by=by,
            ip=None,
            user_agent="seed_demo",
            requested_at=DEMO_REQUESTED_AT,
            send_notifications=False,
        )
        activations.append(activation)
    return activations
