"""Writes of the franchise app: activating a person's deductible (SPEC §3.2)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify
from policies.models import InsuredPerson
from policies.selectors import people_for_user

from .calendar import next_working_day_after
from .consent import CONSENT_TEXT_HASH, CONSENT_VERSION
from .models import FranchiseActivation

log = logging.getLogger(__name__)


class ActivationError(Exception):
    """A refusal the user can read (the message is Russian and shown as is)."""


def activation_effective_date(*, person: InsuredPerson, requested_at: dt.datetime) -> dt.date:
    """Service starts the next working day after the request (Moscow time), but never before
    the policy itself starts: an activation made in December for a January policy takes effect
    on the policy's first day, so January visits are billed, not held."""
    return max(next_working_day_after(requested_at), person.policy_start)


def franchise_activate(
    *,
    person: InsuredPerson,
    by,
    ip: str | None,
    user_agent: str = "",
    consent_given: bool,
    requested_at: dt.datetime | None = None,
) -> tuple[FranchiseActivation, bool]:
    """Activate the deductible of `person` for his current policy period, on behalf of `by`.

    Returns (activation, created). Repeating it for the same policy period changes nothing and
    returns the existing activation with created=False. `by` must be allowed to see the person
    (himself or a relative he sponsors): otherwise InsuredPerson.DoesNotExist, which views turn
    into 404. Raises ActivationError for a refusal (no consent, policy over or terminated).
    `requested_at` exists for the demo seed and imports of historical data; requests use now.
    """
    if not consent_given:
        raise ActivationError(
            "Чтобы активировать франшизу, отметьте «Я подтверждаю и даю согласие…»."
        )
    # The access rule first: a crafted id of someone else's person ends here as DoesNotExist.
    people_for_user(by).get(pk=person.pk)
    return activation_record(
        person=person,
        by=by,
        ip=ip,
        user_agent=user_agent,
        requested_at=requested_at or clock.now(),
    )


def activation_record(
    *,
    person: InsuredPerson,
    by,
    ip: str | None,
    user_agent: str,
    requested_at: dt.datetime,
    send_notifications: bool = True,
) -> tuple[FranchiseActivation, bool]:
    """The recording step behind franchise_activate, without the access check and consent
    question (the caller has answered both). The demo seed uses it with a past `requested_at`
    and no messages."""
    try:
        with transaction.atomic():
            # The lock serialises two submits for the same person (two tabs, a double click):
            # the second one waits here and then finds the first one's row.
            locked = InsuredPerson.objects.select_for_update().get(pk=person.pk)
            existing = _current_activation(locked)
            if existing is not None:
                log.info("franchise of %s already activated", locked.policy_number)
                return existing, False
            _check_activatable(locked, requested_at)
            activation = FranchiseActivation.objects.create(
                person=locked,
                period_start=locked.policy_start,
                period_end=locked.policy_end,
                requested_at=requested_at,
                effective_date=activation_effective_date(person=locked, requested_at=requested_at),
                requested_by=by if getattr(by, "pk", None) else None,
                consent_version=CONSENT_VERSION,
                consent_text_hash=CONSENT_TEXT_HASH,
                ip=ip or None,
                user_agent=(user_agent or "")[:512],
            )
            audit_log(
                action="franchise.activate",
                actor=by,
                target=activation,
                ip=ip or None,
                person_id=locked.pk,
                policy_number=locked.policy_number,
                effective_date=activation.effective_date.isoformat(),
                consent_version=CONSENT_VERSION,
            )
            if send_notifications:
                _notify_activated(activation=activation, by=by)
    except IntegrityError:
        # Databases without row locks (SQLite) can still race to the unique constraint;
        # the loser reports the winner's activation.
        existing = _current_activation(person)
        if existing is None:
            raise
        return existing, False
    return activation, True


def _current_activation(person: InsuredPerson) -> FranchiseActivation | None:
    return FranchiseActivation.objects.filter(
        person_id=person.pk, period_start=person.policy_start
    ).first()


def _check_activatable(person: InsuredPerson, requested_at: dt.datetime) -> None:
    if person.status == InsuredPerson.Status.TERMINATED:
        raise ActivationError(f"Полис {person.policy_number} прекращён, активация невозможна.")
    if clock.to_moscow_date(requested_at) > person.policy_end:
        raise ActivationError(
            f"Срок действия полиса {person.policy_number} закончился "
            f"{person.policy_end:%d.%m.%Y}, активация невозможна."
        )


def _notify_activated(*, activation: FranchiseActivation, by) -> None:
    phone = str(getattr(by, "phone", "") or "")
    email = getattr(by, "email", "") or ""
    if not (phone or email):
        return
    person = activation.person
    notify(
        event="franchise_activated",
        context={
            "person_name": person.full_name,
            "short_name": person.short_name,
            "policy_number": person.policy_number,
            "effective_date": activation.effective_date.strftime("%d.%m.%Y"),
        },
        phone=phone or None,
        email=email or None,
        key=f"franchise_activated:{activation.pk}",
        user_id=getattr(by, "pk", None),
    )
