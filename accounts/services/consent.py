"""Consent to personal-data processing (152-FZ art. 9): given per purpose, withdrawn once."""

import datetime as dt

from django.db import transaction

from audit.services import audit_log
from dms_portal import clock
from notifications.services import notify

from ..consent_texts import portal_v1
from ..models import ConsentDocument, ConsentPurpose, ConsentRecord, User
from ..selectors import consent_document_current


class ConsentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def consent_document_in_force(purpose: str = ConsentPurpose.PORTAL) -> ConsentDocument:
    """The text people agree to now. The migration publishes version 1; a database emptied
    since (a flushed test database) gets the same text, with the same hash, back from code."""
    document = consent_document_current(purpose)
    if document is None:
        fields = portal_v1()
        document, _ = ConsentDocument.objects.get_or_create(
            purpose=fields.pop("purpose"), version=fields.pop("version"), defaults=fields
        )
    return document


def consent_record_give(
    *,
    person,
    user,
    document: ConsentDocument,
    given_at: dt.datetime,
    ip: str | None,
    user_agent: str,
) -> ConsentRecord:
    """Record a consent; if one for this purpose is already in force it stays as it is."""
    existing = ConsentRecord.objects.filter(
        person=person, purpose=document.purpose, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    record = ConsentRecord.objects.create(
        person=person,
        user=user,
        purpose=document.purpose,
        document=document,
        content_hash=document.content_hash,
        given_at=given_at,
        ip=ip,
        user_agent=user_agent[:512],
    )
    audit_log(
        action="accounts.consent_given",
        actor=user,
        target=record,
        ip=ip,
        purpose=document.purpose,
        version=document.version,
        content_hash=document.content_hash,
    )
    return record


def consent_withdraw(*, user: User, record_id: int, ip: str | None) -> ConsentRecord:
    """Withdraw the consent in force and close the account (the portal cannot be run for a
    person without it). The roster, policies and invoices stay: the insurer keeps them under
    the insurance contract and the law, not under this consent."""
    with transaction.atomic():
        record = (
            ConsentRecord.objects.select_for_update(of=("self",))
            .filter(pk=record_id, person__user=user)
            .first()
        )
        if record is None:
            raise ConsentError("Согласие не найдено.")
        if record.withdrawn_at is not None:
            return record  # already withdrawn: a repeated click changes nothing
        record.withdrawn_at = clock.now()
        record.withdrawn_ip = ip
        record.save(update_fields=["withdrawn_at", "withdrawn_ip"])
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        locked_user.is_active = False
        locked_user.save(update_fields=["is_active"])
        audit_log(
            action="accounts.consent_withdrawn",
            actor=user,
            target=record,
            ip=ip,
            purpose=record.purpose,
            version=record.document.version,
        )
    notify(
        event="accounts_consent_withdrawn",
        context={"date": clock.moscow_today()},
        phone=str(user.phone),
        email=user.email or None,
        user_id=user.pk,
        key=f"accounts-consent-withdrawn:{record.pk}",
    )
    return record
