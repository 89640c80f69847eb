import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import OneTimeCode, User
from accounts.services import codes
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db):
    admin = User.objects.create_superuser("+79995550200", "Admin-Pass-2026")
    client = Client()
    staff_login(client, admin)
    return client


def test_admin_is_staff_only(ivanov_client):
    response = ivanov_client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_staff_finds_users_by_phone_email_and_name(staff_client, ivanov):
    url = reverse("admin:accounts_user_changelist")
    for query in ["9990000001", "ivanov@example", "Иванов"]:
        assert "+79990000001" in staff_client.get(url, {"q": query}).content.decode()
    assert "+79990000001" not in staff_client.get(url, {"q": "nobody"}).content.decode()


def test_staff_sees_consents_read_only(staff_client, ivanov):
    html = staff_client.get(reverse("admin:accounts_consentrecord_changelist")).content.decode()
    assert "DMS-0001" in html
    assert staff_client.get(reverse("admin:accounts_consentrecord_add")).status_code == 403


def test_code_hashes_are_never_shown(staff_client, demo):
    challenge = codes.code_issue(
        phone="+79991234567",
        purpose=OneTimeCode.Purpose.REGISTRATION,
        binding="b",
        ip=None,
        event="accounts_registration_code",
    )
    for url in [
        reverse("admin:accounts_onetimecode_changelist"),
        reverse("admin:accounts_onetimecode_change", args=[challenge.pk]),
    ]:
        html = staff_client.get(url).content.decode()
        assert "+79991234567" in html
        assert challenge.code_hash.split("$")[1] not in html
        assert challenge.binding_hash not in html


def test_staff_can_add_a_user_in_admin(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "+79995550300",
            "email": "op@example.com",
            "password1": "Oper-Pass-2026",
            "password2": "Oper-Pass-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(phone="+79995550300").check_password("Oper-Pass-2026")


def test_audit_log_is_readable_in_admin(staff_client, ivanov):
    html = staff_client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert "accounts.consent_given" in html


def test_staff_publishes_a_new_consent_version_but_cannot_edit_a_published_one(staff_client):
    from accounts.models import ConsentDocument

    v1 = ConsentDocument.objects.get(version="1")
    ConsentDocument.objects.filter(pk=v1.pk).update(published_at="2026-01-01T00:00:00Z")
    assert (
        staff_client.post(
            reverse("admin:accounts_consentdocument_change", args=[v1.pk]), {"title": "x"}
        ).status_code
        == 403
    )
    fields = {
        f: getattr(v1, f)
        for f in [
            "purpose",
            "title",
            "operator",
            "purpose_text",
            "data_categories",
            "actions",
            "processors",
            "term",
            "withdrawal",
        ]
    }
    response = staff_client.post(
        reverse("admin:accounts_consentdocument_add"),
        {**fields, "version": "2", "published_at_0": "01.03.2026", "published_at_1": "10:00:00"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    v2 = ConsentDocument.objects.get(version="2")
    assert v2.content_hash == v2.compute_hash() != v1.content_hash
    from accounts.services.consent import consent_document_in_force

    with time_machine.travel(dt.datetime(2026, 2, 28, 12, 0, tzinfo=dt.UTC), tick=False):
        assert consent_document_in_force() == v1  # version 2 is not published yet
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        assert consent_document_in_force() == v2
