"""Demo accounts of SPEC §4: Иванов is registered (phone, password, e-mail, consent)."""

from audit.services import audit_log
from dms_portal import clock
from policies.models import InsuredPerson

from .models import User
from .services.consent import consent_document_in_force, consent_record_give

DEMO_PHONE = "+79990000001"
DEMO_PASSWORD = "Demo-2026!"  # noqa: S105 - the documented demo login
DEMO_EMAIL = "ivanov@example.com"


def seed_accounts() -> dict:
    """Idempotent: a second run finds everything in place and changes nothing."""
    person = InsuredPerson.objects.select_related("user").get(policy_number="DMS-0001")
    user = person.user or User.objects.filter(phone=DEMO_PHONE).first()
    if user is None:
        now = clock.now()
        user = User.objects.create_user(
            DEMO_PHONE,
            DEMO_PASSWORD,
            email=DEMO_EMAIL,
            first_name=person.first_name,
            last_name=person.last_name,
            phone_confirmed_at=now,
            email_confirmed_at=now,
        )
        audit_log(action="accounts.registered", actor=user, target=user, demo=True)
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    document = consent_document_in_force()
    consent_record_give(
        person=person,
        user=user,
        document=document,
        given_at=user.date_joined,
        ip="127.0.0.1",
        user_agent="seed_demo",
    )
    return {"ivanov_user": user}
