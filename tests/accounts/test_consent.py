import pytest
from django.db import IntegrityError, transaction

from accounts.models import ConsentDocument, ConsentRecord
from accounts.services.consent import consent_document_in_force

pytestmark = pytest.mark.django_db


def test_version_one_is_published_with_the_hash_of_its_exact_words():
    document = ConsentDocument.objects.get(purpose="portal", version="1")
    assert document.content_hash == document.compute_hash()
    assert len(document.content_hash) == 64
    assert consent_document_in_force() == document


def test_any_change_of_the_words_changes_the_hash():
    document = ConsentDocument.objects.get(version="1")
    before = document.content_hash
    document.term += " "
    assert document.compute_hash() == before  # whitespace at the ends is not a change
    document.term = document.term.strip() + " Изменено."
    assert document.compute_hash() != before


def test_an_emptied_table_gets_the_same_text_back_from_code():
    original = ConsentDocument.objects.get(version="1").content_hash
    ConsentDocument.objects.all().delete()
    assert consent_document_in_force().content_hash == original


def test_only_one_consent_per_person_and_purpose_is_in_force(ivanov):
    record = ConsentRecord.objects.get(user=ivanov)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentRecord.objects.create(
            person=record.person,
            purpose=record.purpose,
            document=record.document,
            content_hash=record.content_hash,
            given_at=record.given_at,
        )
