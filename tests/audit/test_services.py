"""The bulk form of the audit trail writes exactly what `audit_log` writes one by one."""

from audit.models import AuditEntry
from audit.services import audit_entries_write, audit_entry, audit_log
from policies.models import InsuredPerson, Program
from policies.services.programme import programmes_assign


def test_bulk_entries_match_single_ones(demo, django_user_model):
    actor = django_user_model.objects.create_user("+79995550000", "Pass-2026!")
    person = demo["ivanov"]
    single = audit_log(action="x.one", actor=actor, target=person, amount=1, note=object)
    assert (
        audit_entries_write(
            [audit_entry(action="x.one", actor=actor, target=person, amount=1, note=object)]
        )
        == 1
    )
    bulk = AuditEntry.objects.exclude(pk=single.pk).get()
    fields = ("action", "actor_id", "target_type", "target_id", "ip", "data")
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]
    assert bulk.data == {"amount": 1, "note": str(object)}


def test_programmes_assign_moves_only_the_given_people(demo):
    emergency = Program.objects.get(contract=demo["contract"], kind="emergency")
    assert programmes_assign(moves={emergency.pk: [demo["ivanov"].pk, demo["petrov"].pk]}) == 2
    kinds = {p.policy_number: p.program.kind for p in InsuredPerson.objects.all()}
    assert kinds == {
        "DMS-0001": "emergency",
        "DMS-0002": "full",
        "DMS-0003": "emergency",
        "DMS-0004": "full",
    }
