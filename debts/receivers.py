"""The debt path listening to invoices: paying the last overdue invoice restores the programme
in the same request (SPEC §3.6) instead of waiting for the periodic `restore_settled` job,
which stays as the safety net."""

from policies.models import InsuredPerson

from .services.restore import person_restore_if_settled


def restore_after_payment(sender, *, invoices, **kwargs) -> None:
    """`invoices.signals.invoices_paid` receiver: each person whose invoices were paid gets
    the restore check (one indexed query for a person without an open downgrade)."""
    person_ids = sorted({invoice.person_id for invoice in invoices})
    for person in InsuredPerson.objects.filter(pk__in=person_ids).order_by("pk"):
        person_restore_if_settled(person)
