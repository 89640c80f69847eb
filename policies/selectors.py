"""Reads of the roster that every view goes through: what people a user may see."""

from django.db.models import QuerySet

from .models import InsuredPerson


def person_for_user(user) -> InsuredPerson | None:
    """The roster person this account belongs to (None for staff-only accounts), with the
    contract and employer that «Личные данные» and the cards show (one query, not three)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return InsuredPerson.objects.filter(user=user).select_related("contract__employer").first()


def people_for_user(user) -> QuerySet[InsuredPerson]:
    """The user's own person first, then the relatives he sponsors.

    An adult relative who registered on his own sponsors nobody, so he sees only himself.
    This is the only place that answers "whose data may this user see"; every view, export
    and permission check uses it (or `person_ids_for_user`).
    """
    if not getattr(user, "is_authenticated", False):
        return InsuredPerson.objects.none()
    from django.db.models import Case, IntegerField, Q, Value, When

    return (
        InsuredPerson.objects.filter(Q(user=user) | Q(sponsor__user=user))
        .select_related("contract", "program", "contract__employer")
        .annotate(
            _own=Case(When(user=user, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("_own", "birth_date", "id")
    )


def person_ids_for_user(user) -> list[int]:
    return list(people_for_user(user).values_list("id", flat=True))


def get_person_for_user(user, person_id) -> InsuredPerson:
    """The person with this id if the user may see him; raises InsuredPerson.DoesNotExist
    otherwise (views turn that into 404, so another user's ids reveal nothing)."""
    return people_for_user(user).get(pk=person_id)
