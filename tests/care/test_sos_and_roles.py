"""SOS lands first in the desk's queue and alerts the desk; «Медпульт» sees no money and no
consents (SPEC §3.9, issue 17 «Roles»)."""

import pytest
from django.urls import reverse

from care import services
from care.models import DoctorRequest
from notifications.models import Message
from tests.staff import staff_login


def _sos(world, person=None):
    return services.sos_create(
        user=world["owner"],
        person=person or world["ivanov"],
        what_happened="Высокая температура",
        location="Москва, ул. Ленина, 1",
        phone="+7 999 000-00-01",
    )


def test_sos_from_the_form_is_first_in_the_desks_queue_and_alerts_the_desk(world, client, settings):
    settings.MEDICAL_DESK_ALERT_EMAIL = "desk@insurer.example"
    older = services.doctor_request_create(
        user=world["owner"],
        person=world["ivanov"],
        clinic=world["clinic"],
        specialty="Терапевт",
        desired_dates="завтра",
    )
    client.force_login(world["owner"])
    response = client.post(
        reverse("care:sos"),
        {
            "person": world["ivanova"].pk,
            "what_happened": "Упала, болит рука",
            "location": "Москва, парк Горького",
            "phone": "+7 999 000-00-01",
        },
    )
    assert response.status_code == 302
    sos = DoctorRequest.objects.get(kind=DoctorRequest.Kind.SOS)
    newer = services.doctor_request_create(
        user=world["owner"],
        person=world["ivanov"],
        clinic=world["clinic"],
        specialty="Окулист",
        desired_dates="послезавтра",
    )
    staff_login(client, world["desk"])
    changelist = client.get(reverse("admin:care_doctorrequest_changelist")).context["cl"]
    assert list(changelist.result_list) == [sos, older, newer]  # SOS on top, then oldest first
    alert = Message.objects.get(event="care_sos_desk")
    assert alert.recipient == "desk@insurer.example"
    assert "DMS-0002" in alert.subject and "парк Горького" in alert.body


def test_sos_is_accepted_on_the_emergency_only_programme(world):
    from .conftest import to_emergency

    to_emergency(world["ivanov"])
    assert _sos(world).status == DoctorRequest.Status.NEW


def test_sos_page_has_the_desk_phone_and_rejects_a_bad_callback_number(world, client):
    client.force_login(world["owner"])
    page = client.get(reverse("care:sos")).content.decode()
    assert 'href="tel:88000000001"' in page
    response = client.post(
        reverse("care:sos"),
        {"person": world["ivanov"].pk, "what_happened": "x", "location": "y", "phone": "abc"},
    )
    assert "Введите номер телефона" in response.content.decode()
    assert not DoctorRequest.objects.exists()


def test_sos_for_another_familys_person_is_refused(world, client):
    client.force_login(world["stranger"])
    client.post(
        reverse("care:sos"),
        {
            "person": world["ivanov"].pk,
            "what_happened": "x",
            "location": "y",
            "phone": "+79990000003",
        },
    )
    assert not DoctorRequest.objects.exists()


def test_desk_works_the_queue_in_admin(world, client):
    _sos(world)
    staff_login(client, world["desk"])
    assert client.get(reverse("admin:care_doctorrequest_changelist")).status_code == 200
    assert client.get(reverse("admin:care_conversation_changelist")).status_code == 200
    assert client.get(reverse("admin:clinics_clinic_changelist")).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "admin:invoices_invoice_changelist",
        "admin:invoices_depositentry_changelist",
        "admin:payments_payment_changelist",
        "admin:accounts_consentrecord_changelist",
        "admin:accounts_consentdocument_changelist",
        "admin:accounts_user_changelist",
    ],
)
def test_medical_desk_sees_no_money_and_no_consents(world, client, url):
    staff_login(client, world["desk"])
    assert client.get(reverse(url)).status_code == 403


def test_medical_desk_group_has_no_money_or_consent_permissions(world):
    codenames = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in world["desk"].groups.get().permissions.all()
    }
    assert {c.split(".")[0] for c in codenames} == {"care", "clinics"}


def test_desk_buttons_need_a_future_slot_or_a_reason(world, client):
    from dms_portal import clock

    request = services.doctor_request_create(
        user=world["owner"],
        person=world["ivanov"],
        clinic=world["clinic"],
        specialty="Терапевт",
        desired_dates="завтра",
    )
    staff_login(client, world["desk"])
    url = reverse("admin:care_doctorrequest_change", args=[request.pk])
    past = clock.moscow_now().replace(year=2025).strftime("%Y-%m-%dT%H:%M")
    page = client.post(url, {"_desk_confirm": "1", "desk_slot": past}).content.decode()
    assert "Это время уже прошло" in page
    page = client.post(url, {"_desk_cancel": "1", "desk_reason": ""}).content.decode()
    assert "Укажите причину отмены" in page
    request.refresh_from_db()
    assert request.status == DoctorRequest.Status.NEW
    client.post(url, {"_desk_cancel": "1", "desk_reason": "Нет врача"})
    request.refresh_from_db()
    assert (request.status, request.cancel_reason) == (DoctorRequest.Status.CANCELLED, "Нет врача")


def test_desk_confirms_an_sos_without_a_slot(world, client):
    sos = _sos(world)
    staff_login(client, world["desk"])
    client.post(reverse("admin:care_doctorrequest_change", args=[sos.pk]), {"_desk_confirm": "1"})
    sos.refresh_from_db()
    assert (sos.status, sos.slot) == (DoctorRequest.Status.CONFIRMED, None)
