"""Business steps of doctor requests and SOS (SPEC §3.9).

Each step locks the request, checks the allowed source states, writes a history event and an
audit entry, and tells the user by SMS and e-mail (keyed by the event, so a retry sends once).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from audit.services import audit_log
from clinics.models import Clinic
from dms_portal import clock
from notifications.services import notify
from policies.models import InsuredPerson

from .errors import CareError
from .models import DoctorRequest, RequestEvent
from .rules import booking_refusal

ST = DoctorRequest.Status


def _event(request: DoctorRequest, *, by, text: str = "") -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, status=request.status, text=text, actor=by, created_at=clock.now()
    )


def _notify_user(request: DoctorRequest, event: RequestEvent, name: str) -> None:
    user = request.user
    notify(
        event=f"care_{name}",
        context={"request": request, "event": event},
        phone=str(user.phone) if user.phone else None,
        email=user.email or None,
        key=f"care:{event.pk}",
        user_id=user.pk,
    )


def _locked(request_id: int) -> DoctorRequest:
    return (
        DoctorRequest.objects.select_for_update(of=("self",))
        .select_related("user", "person", "clinic")
        .get(pk=request_id)
    )


def _require(request: DoctorRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise CareError(
            f"Заявка № {request.pk} в статусе «{request.get_status_display()}»: "
            "это действие уже недоступно"
        )


@transaction.atomic
def doctor_request_create(
    *,
    user,
    person: InsuredPerson,
    clinic: Clinic,
    specialty: str,
    desired_dates: str,
    comment: str = "",
    ip: str | None = None,
) -> DoctorRequest:
    """«Отправить заявку»: refused with the reason while the person may not book."""
    refusal = booking_refusal(person=person, today=clock.moscow_today())
    if refusal is not None:
        raise CareError(str(refusal))
    if not clinic.programs.filter(pk=person.program_id).exists():
        raise CareError(f"Клиника «{clinic.name}» не входит в программу {person.full_name}")
    now = clock.now()
    request = DoctorRequest.objects.create(
        user=user,
        person=person,
        clinic=clinic,
        specialty=specialty.strip(),
        desired_dates=desired_dates.strip(),
        comment=comment.strip(),
        created_at=now,
        updated_at=now,
    )
    _event(request, by=user, text="Заявка отправлена")
    audit_log(action="care.request_create", actor=user, target=request, ip=ip)
    return request


@transaction.atomic
def sos_create(
    *, user, person: InsuredPerson, what_happened: str, location: str, phone: str, ip=None
) -> DoctorRequest:
    """«Нужна помощь»: always accepted (any programme), first in the desk's queue, and the desk
    is alerted at once (no quiet hours)."""
    now = clock.now()
    request = DoctorRequest.objects.create(
        kind=DoctorRequest.Kind.SOS,
        user=user,
        person=person,
        what_happened=what_happened.strip(),
        location=location.strip(),
        callback_phone=phone.strip(),
        created_at=now,
        updated_at=now,
    )
    event = _event(request, by=user, text="SOS: нужна помощь")
    audit_log(action="care.sos_create", actor=user, target=request, ip=ip)
    notify(
        event="care_sos_desk",
        context={"request": request, "person": person, "contract": person.contract},
        phone=settings.MEDICAL_DESK_ALERT_PHONE or None,
        email=settings.MEDICAL_DESK_ALERT_EMAIL or None,
        key=f"care-desk:{event.pk}",
        immediate=True,
    )
    return request


@transaction.atomic
def doctor_request_confirm(*, request_id: int, by, slot: dt.datetime) -> DoctorRequest:
    """«Подтвердить» with a slot (the desk); for SOS the slot may be empty (help arranged)."""
    request = _locked(request_id)
    _require(request, ST.NEW, ST.PROPOSED)
    if slot is None and request.kind != DoctorRequest.Kind.SOS:
        raise CareError("Укажите дату и время приёма")
    request.status, request.slot, request.updated_at = ST.CONFIRMED, slot, clock.now()
    request.save(update_fields=["status", "slot", "updated_at"])
    event = _event(request, by=by, text="Запись подтверждена медицинским пультом")
    audit_log(action="care.request_confirm", actor=by, target=request, slot=slot)
    _notify_user(request, event, "confirmed")
    return request


@transaction.atomic
def doctor_request_propose(*, request_id: int, by, slot: dt.datetime) -> DoctorRequest:
    """«Предложить другое время»: the user accepts or declines it."""
    request = _locked(request_id)
    _require(request, ST.NEW, ST.PROPOSED, ST.CONFIRMED)
    if slot is None:
        raise CareError("Укажите предлагаемые дату и время")
    if slot <= clock.now():
        raise CareError("Предлагаемое время уже прошло")
    request.status, request.slot, request.updated_at = ST.PROPOSED, slot, clock.now()
    request.save(update_fields=["status", "slot", "updated_at"])
    event = _event(request, by=by, text="Медицинский пульт предложил другое время")
    audit_log(action="care.request_propose", actor=by, target=request, slot=slot)
    _notify_user(request, event, "proposed")
    return request


@transaction.atomic
def doctor_request_cancel(*, request_id: int, by, reason: str, by_desk: bool) -> DoctorRequest:
    """«Отменить»: by the desk with a reason; by the user while the visit is not yet past."""
    request = _locked(request_id)
    if request.status == ST.CANCELLED:
        return request  # repeating a finished transition is a no-op
    if by_desk and not reason.strip():
        raise CareError("Укажите причину отмены")
    if not by_desk and request.slot is not None and request.slot <= clock.now():
        raise CareError("Время приёма уже прошло: такую заявку отменить нельзя")
    request.status, request.updated_at = ST.CANCELLED, clock.now()
    request.cancel_reason = reason.strip() or "Отменена пользователем"
    request.save(update_fields=["status", "cancel_reason", "updated_at"])
    event = _event(request, by=by, text=request.cancel_reason)
    audit_log(action="care.request_cancel", actor=by, target=request, by_desk=by_desk)
    _notify_user(request, event, "cancelled")
    return request


@transaction.atomic
def doctor_request_answer(*, request_id: int, by, accept: bool) -> DoctorRequest:
    """The user accepts the proposed time (→ «Подтверждена») or declines it (→ «Новая»: the desk
    looks for another time)."""
    request = _locked(request_id)
    _require(request, ST.PROPOSED)
    if accept and request.slot <= clock.now():
        raise CareError("Предложенное время уже прошло: дождитесь нового предложения")
    request.status = ST.CONFIRMED if accept else ST.NEW
    request.updated_at = clock.now()
    if not accept:
        request.slot = None
    request.save(update_fields=["status", "slot", "updated_at"])
    text = "Вы приняли предложенное время" if accept else "Вы отклонили предложенное время"
    event = _event(request, by=by, text=text)
    audit_log(action="care.request_answer", actor=by, target=request, accept=accept)
    _notify_user(request, event, "accepted" if accept else "declined")
    return request
