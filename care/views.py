"""Views of «Запись к врачу», «SOS» and «Поддержка»: fetch what the user may see, validate a
form, call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.services import read_access_log
from clinics.models import Clinic
from dms_portal import clock
from dms_portal.net import client_ip
from policies.selectors import people_for_user

from . import selectors, services, support
from .errors import CareError
from .forms import DoctorRequestForm, SosForm, SupportForm
from .models import DoctorRequest, SupportAttachment
from .rules import booking_refusal


def _request_for_user(request, pk: int) -> DoctorRequest:
    try:
        return selectors.get_request_for_user(request.user, pk)
    except DoctorRequest.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def requests_page(request):
    people = list(people_for_user(request.user))
    today = clock.moscow_today()
    refusals = [r for r in (booking_refusal(person=p, today=today) for p in people) if r]
    allowed = [p for p in people if booking_refusal(person=p, today=today) is None]
    people_qs = people_for_user(request.user).filter(pk__in=[p.pk for p in allowed])
    clinics = Clinic.objects.filter(programs__in={p.program_id for p in allowed}).distinct()
    form = DoctorRequestForm(request.POST or None, people=people_qs, clinics=clinics)
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.doctor_request_create(
                user=request.user,
                person=data["person"],
                clinic=data["clinic"],
                specialty=data["specialty"],
                desired_dates=data["desired_dates"],
                comment=data["comment"],
                ip=client_ip(request),
            )
        except CareError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Заявка № {created.pk} отправлена на медицинский пульт")
            return redirect("care:requests")
    return render(
        request,
        "care/requests.html",
        {
            "form": form if allowed else None,
            "refusals": refusals,
            "has_people": bool(people),
            "requests": selectors.requests_for_user(request.user).filter(
                kind=DoctorRequest.Kind.APPOINTMENT
            ),
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def request_answer(request, pk: int):
    item = _request_for_user(request, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.doctor_request_answer(request_id=item.pk, by=request.user, accept=accept)
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "Время приёма подтверждено" if accept else "Вы отклонили предложенное время"
        )
    return redirect("care:requests")


@login_required
@require_POST
def request_cancel(request, pk: int):
    item = _request_for_user(request, pk)
    try:
        services.doctor_request_cancel(
            request_id=item.pk, by=request.user, reason="", by_desk=False
        )
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Заявка № {item.pk} отменена")
    return redirect("care:requests")


@login_required
def sos(request):
    people = people_for_user(request.user)
    own = people.first()
    form = SosForm(
        request.POST or None,
        people=people,
        initial={"phone": str(request.user.phone or "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = services.sos_create(
            user=request.user,
            person=data["person"],
            what_happened=data["what_happened"],
            location=data["location"],
            phone=data["phone"],
            ip=client_ip(request),
        )
        messages.success(
            request,
            f"Запрос SOS № {created.pk} передан на медицинский пульт: вам перезвонят по номеру "
            f"{created.callback_phone}.",
        )
        return redirect("care:sos")
    return render(request, "care/sos.html", {"form": form if own else None, "own": own})


@login_required
def support_page(request):
    form = SupportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            support.support_post(
                user=request.user,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
                ip=client_ip(request),
            )
        except CareError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("care:support")
    conversation = support.conversation_for(request.user)
    support.support_mark_read(conversation=conversation, by_staff=False)
    return render(
        request,
        "care/support.html",
        {"form": form, "chat": selectors.support_messages_for_user(request.user)},
    )


@login_required
@require_GET
def support_messages(request):
    """The message list alone: the open chat polls it, so answers appear without reloading."""
    conversation = support.conversation_for(request.user)
    support.support_mark_read(conversation=conversation, by_staff=False)
    return render(
        request,
        "care/_messages.html",
        {"chat": selectors.support_messages_for_user(request.user)},
    )


@login_required
def support_attachment(request, pk: int):
    try:
        item = selectors.get_attachment_for_user(request.user, pk)
    except SupportAttachment.DoesNotExist as exc:  # another user's file looks like no file
        raise Http404 from exc
    read_access_log(request=request, kind="support_attachment", target=item)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
