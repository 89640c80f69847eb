"""The notices of the downgrade path, written to whoever pays for the person
(`policies.services.payer`: the sponsor of a relative, whether or not the relative has an
account of his own)."""

from django.conf import settings

from notifications.services import Notice
from policies.services.payer import payer_contacts

from ..models import ProgrammeDowngrade


def downgrade_notice(event: str, downgrade: ProgrammeDowngrade, *, key: str, **extra) -> Notice:
    person = downgrade.person
    contacts = payer_contacts(person)
    return Notice(
        event=event,
        context={
            "person_name": person.short_name,
            "full_name": person.full_name,
            "policy_number": person.policy_number,
            "from_program": downgrade.from_program.name,
            "to_program": downgrade.to_program.name,
            "desk_phone": person.contract.medical_desk_phone,
            "invoice_numbers": downgrade.invoice_numbers,
            # «Не оплачен счёт …» or «Не оплачены счета …»: the verb agrees with the count.
            "invoice_count": len([n for n in downgrade.invoice_numbers.split(",") if n.strip()]),
            "site_url": settings.SITE_URL,
            "insurer": settings.INSURER,
            **extra,
        },
        phone=contacts.phone,
        email=contacts.email,
        user_id=contacts.user_id,
        key=key,
    )
