"""Who pays for an insured person, and how the portal reaches him (SPEC §3.3, README «Who pays»).

The rule, in one place: a relative (category «Родственник») with a sponsor is paid for by the
sponsor — whether or not the relative has an account of his own; everybody else pays for
himself. The invoice run stores the result as `Invoice.payer` (in SQL, `payer_sql`), and every
money message (invoice ready, reminders, overdue, downgrade and restore notices, annulment)
and the operator call list write to the payer's contacts (`contacts_of`).

Why the sponsor even for a relative with his own account: the sponsor's account is where the
relative's invoices are billed and paid (ОПЛАТИТЬ), so he is the one who can settle a debt; a
relative who registered still sees his own invoices and the downgrade notice on «Мои полисы».
"""

from dataclasses import dataclass

from django.db.models import Case, F, Q, When

from ..models import InsuredPerson

RELATIVE = InsuredPerson.Category.RELATIVE


def payer_id_of(person: InsuredPerson) -> int:
    """The id of the person who pays for `person` (see the module doc)."""
    if person.category == RELATIVE and person.sponsor_id:
        return person.sponsor_id
    return person.pk


def payer_of(person: InsuredPerson) -> InsuredPerson:
    """The payer as a row (the sponsor is read unless already selected with the person)."""
    return person.sponsor if payer_id_of(person) != person.pk else person


def payer_id_expression() -> Case:
    """`payer_id_of` for a queryset of InsuredPerson (`.annotate(payer_id=...)`)."""
    return Case(
        When(Q(category=RELATIVE) & Q(sponsor__isnull=False), then=F("sponsor_id")),
        default=F("pk"),
    )


def payer_sql(alias: str) -> str:
    """`payer_id_of` as SQL over the InsuredPerson table aliased `alias` (the set-based invoice
    run on PostgreSQL). The category is a constant of the code, not user input."""
    return (
        f"CASE WHEN {alias}.category = '{RELATIVE}' AND {alias}.sponsor_id IS NOT NULL"
        f" THEN {alias}.sponsor_id ELSE {alias}.id END"
    )


@dataclass(frozen=True)
class Contacts:
    phone: str | None
    email: str | None
    user_id: int | None

    @property
    def reachable(self) -> bool:
        return bool(self.phone or self.email)


def contacts_of(holder: InsuredPerson) -> Contacts:
    """Where the portal writes to an account holder (a payer): his account's phone and e-mail,
    or the roster phone while he has not registered. Select `user` with the person."""
    user = holder.user if holder.user_id else None
    if user is not None:
        return Contacts(phone=str(user.phone) or None, email=user.email or None, user_id=user.pk)
    return Contacts(phone=holder.phone or None, email=None, user_id=None)


def payer_contacts(person: InsuredPerson) -> Contacts:
    """`contacts_of(payer_of(person))`: select `user` and `sponsor__user` with the person."""
    return contacts_of(payer_of(person))
