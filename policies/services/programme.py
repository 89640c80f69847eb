"""Programme changes of insured people: the only writer of `InsuredPerson.program` outside the
roster import and admin. The debt path (downgrade to emergency care, restore) calls it."""

from collections.abc import Iterable, Mapping

from ..models import InsuredPerson


def programmes_assign(*, moves: Mapping[int, Iterable[int]]) -> int:
    """Put people on programmes: `moves` maps a Program id to the ids of the people who go to
    it; one UPDATE per programme. The caller holds the people's row locks and writes the audit
    trail in the same transaction. Returns how many rows changed."""
    changed = 0
    for program_id, person_ids in moves.items():
        ids = list(person_ids)
        if ids:
            changed += InsuredPerson.objects.filter(pk__in=ids).update(program_id=program_id)
    return changed
