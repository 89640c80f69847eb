"""«Запись к врачу»: the request's life from the user to the desk and back (SPEC §3.9)."""

import datetime as dt

import pytest
from django.urls import reverse

from care import services
from care.errors import CareError
from care.models import DoctorRequest
from dms_portal import clock
from franchise.models import FranchiseActivation
from notifications.models import Message

from .conftest import to_emergency

ST = DoctorRequest.Status


def _create(world, person=None):
    return services.doctor_request_create(
        user=world["owner"],
        person=person or world["ivanov"],
        clinic=world["clinic"],
        specialty="Терапевт",
        desired_dates="20–22 января, утром",
    )


def _soon(days=3):
    return clock.now() + dt.timedelta(days=days)


def test_request_from_the_form_lands_as_new(world, client):
    client.force_login(world["owner"])
    response = client.post(
        reverse("care:requests"),
        {
            "person": world["ivanova"].pk,
            "clinic": world["clinic"].pk,
            "specialty": "Педиатр",
            "desired_dates": "20–22 января, утром",
            "comment": "",
        },
    )
    assert response.status_code == 302
    request = DoctorRequest.objects.get()
    assert (request.person, request.status, request.user) == (
        world["ivanova"],
        ST.NEW,
        world["owner"],
    )
    page = client.get(reverse("care:requests")).content.decode()
    assert "Новая" in page and "Педиатр" in page


def test_desk_confirmation_reaches_the_user_by_sms_and_email(world):
    request = _create(world)
    slot = _soon()
    services.doctor_request_confirm(request_id=request.pk, by=world["desk"], slot=slot)
    request.refresh_from_db()
    assert (request.status, request.slot) == (ST.CONFIRMED, slot)
    sent = Message.objects.filter(event="care_confirmed")
    assert {m.channel for m in sent} == {"sms", "email"}
    assert sent.get(channel="sms").recipient == "+79990000001"


def test_proposed_time_can_be_accepted_or_declined(world):
    request = _create(world)
    services.doctor_request_propose(request_id=request.pk, by=world["desk"], slot=_soon())
    services.doctor_request_answer(request_id=request.pk, by=world["owner"], accept=False)
    request.refresh_from_db()
    assert (request.status, request.slot) == (ST.NEW, None)
    services.doctor_request_propose(request_id=request.pk, by=world["desk"], slot=_soon(4))
    services.doctor_request_answer(request_id=request.pk, by=world["owner"], accept=True)
    request.refresh_from_db()
    assert request.status == ST.CONFIRMED
    assert Message.objects.filter(event__in=["care_proposed", "care_accepted"]).count() == 6
    with pytest.raises(CareError):
        services.doctor_request_answer(request_id=request.pk, by=world["owner"], accept=True)


def test_desk_cancel_needs_a_reason_and_tells_the_user(world):
    request = _create(world)
    with pytest.raises(CareError, match="причину"):
        services.doctor_request_cancel(
            request_id=request.pk, by=world["desk"], reason=" ", by_desk=True
        )
    services.doctor_request_cancel(
        request_id=request.pk, by=world["desk"], reason="Врач в отпуске", by_desk=True
    )
    request.refresh_from_db()
    assert (request.status, request.cancel_reason) == (ST.CANCELLED, "Врач в отпуске")
    assert Message.objects.filter(event="care_cancelled", channel="sms").exists()


def test_user_cancels_a_future_visit_but_not_a_past_one(world, client):
    request = _create(world)
    services.doctor_request_confirm(request_id=request.pk, by=world["desk"], slot=_soon())
    client.force_login(world["owner"])
    client.post(reverse("care:request_cancel", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == ST.CANCELLED
    past = _create(world)
    DoctorRequest.objects.filter(pk=past.pk).update(
        status=ST.CONFIRMED, slot=clock.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(CareError, match="прошло"):
        services.doctor_request_cancel(
            request_id=past.pk, by=world["owner"], reason="", by_desk=False
        )


def test_refused_on_the_emergency_only_programme_with_what_to_do(world, client):
    to_emergency(world["ivanov"])
    with pytest.raises(CareError, match="экстренная"):
        _create(world)
    client.force_login(world["owner"])
    page = client.get(reverse("care:requests")).content.decode()
    assert "запись к врачу недоступна" in page and "8 800 000-00-01" in page


def test_refused_until_the_deductible_takes_effect_with_the_date(world):
    FranchiseActivation.objects.filter(person=world["ivanov"]).update(
        effective_date=clock.moscow_today() + dt.timedelta(days=2)
    )
    day = clock.moscow_today() + dt.timedelta(days=2)
    with pytest.raises(CareError, match=f"с {day:%d.%m.%Y}"):
        _create(world)


def test_refused_when_the_deductible_is_not_activated(world):
    with pytest.raises(CareError, match="не активирована"):
        services.doctor_request_create(
            user=world["stranger"],
            person=world["petrov"],
            clinic=world["clinic"],
            specialty="Терапевт",
            desired_dates="завтра",
        )


def test_a_user_sees_and_acts_only_on_his_family_requests(world, client):
    own = _create(world)
    child = _create(world, person=world["ivanova"])
    services.doctor_request_propose(request_id=own.pk, by=world["desk"], slot=_soon())
    client.force_login(world["stranger"])
    page = client.get(reverse("care:requests")).content.decode()
    assert f"Заявка № {own.pk}" not in page and f"Заявка № {child.pk}" not in page
    for name in ("care:request_answer", "care:request_cancel"):
        assert client.post(reverse(name, args=[own.pk]), {"decision": "accept"}).status_code == 404
    own.refresh_from_db()
    assert own.status == ST.PROPOSED
    client.force_login(world["owner"])
    page = client.get(reverse("care:requests")).content.decode()
    assert f"Заявка № {own.pk}" in page and f"Заявка № {child.pk}" in page


def test_a_stranger_cannot_book_for_someone_else(world, client):
    client.force_login(world["stranger"])
    response = client.post(
        reverse("care:requests"),
        {
            "person": world["ivanov"].pk,
            "clinic": world["clinic"].pk,
            "specialty": "Терапевт",
            "desired_dates": "завтра",
        },
    )
    assert response.status_code == 200
    assert not DoctorRequest.objects.exists()
