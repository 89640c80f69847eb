"""«Личные данные»: changing the phone or the e-mail (pen-test #10 item 7).

Current password → «Подтверждение телефона» with a code to the OLD phone (or «Нет доступа к
старому номеру»: a link to the confirmed e-mail, or the operator) → for a phone, a code to the
new number; for an e-mail, a link to the new address. The rules are in
services.profile_change; both code steps are codeflow steps.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import forms
from ..ip import client_ip
from ..models import ProfileChange
from ..phones import format_phone
from ..services import codes, profile, profile_change
from .codeflow import CodeStep, binding, confirm_view, resend_view
from .profile import profile_page

CHANGE_KEY = "accounts_profile_change"
OLD_PHONE_KEY = "accounts_profile_change_challenge"
PHONE_CHANGE_KEY = "accounts_phone_change_challenge"


def _change_request(request, form_class, form_name: str, *, kind: str, field: str):
    """A new phone or e-mail with the current password: open the change, code to the old phone."""
    form = form_class(request.POST, user=request.user, request=request)
    if not form.is_valid():
        return profile_page(request, **{form_name: form})
    try:
        change, challenge = profile_change.profile_change_start(
            user=request.user,
            kind=kind,
            new_value=form.cleaned_data[field],
            binding=binding(request),
            ip=client_ip(request),
        )
    except (profile.ProfileError, codes.CodeRateLimited) as exc:
        form.add_error(field, exc.message)
        return profile_page(request, **{form_name: form})
    request.session[CHANGE_KEY] = change.pk
    request.session[OLD_PHONE_KEY] = challenge.pk
    return redirect("accounts:profile_change_confirm")


@sensitive_post_parameters("password")
@login_required
@require_POST
def profile_email(request):
    return _change_request(
        request, forms.EmailChangeForm, "email_form", kind=ProfileChange.Kind.EMAIL, field="email"
    )


@sensitive_post_parameters("password")
@login_required
@require_POST
def profile_phone(request):
    return _change_request(
        request, forms.NewPhoneForm, "phone_form", kind=ProfileChange.Kind.PHONE, field="phone"
    )


# --- the code to the OLD phone ------------------------------------------------------------


class _OldPhone:
    """What the old-phone step waits on: the change and its challenge."""

    def __init__(self, change, challenge):
        self.change = change
        self.challenge = challenge
        self.phone = challenge.phone


def _old_phone_pending(request):
    change = profile_change.profile_change_get(
        user=request.user,
        change_id=request.session.get(CHANGE_KEY),
        statuses=[ProfileChange.Status.AWAITING],
    )
    if change is None:
        return None
    try:
        challenge = codes.code_challenge_get(
            challenge_id=request.session.get(OLD_PHONE_KEY),
            purpose="profile_change",
            binding=binding(request),
        )
    except codes.CodeNotFound:
        return None
    return _OldPhone(change, challenge) if challenge.user_id == request.user.pk else None


def _send_new_phone_code(request, change):
    try:
        challenge = profile.phone_change_start(
            user=request.user, change=change, binding=binding(request), ip=client_ip(request)
        )
    except codes.CodeRateLimited as exc:
        messages.error(request, exc.message)
        return redirect("accounts:profile")
    request.session[PHONE_CHANGE_KEY] = challenge.pk
    return redirect("accounts:profile_phone_confirm")


def _accept_old_phone(request, pending, code):
    change = profile_change.profile_change_verify_old_phone(
        user=request.user,
        change=pending.change,
        challenge_id=pending.challenge.pk,
        binding=binding(request),
        code=code,
        ip=client_ip(request),
    )
    request.session.pop(OLD_PHONE_KEY, None)
    if change.kind == ProfileChange.Kind.PHONE:
        return _send_new_phone_code(request, change)
    messages.success(
        request,
        f"Мы отправили ссылку для подтверждения на {change.new_value}. "
        "E-mail изменится, когда вы перейдёте по ней.",
    )
    return redirect("accounts:profile")


def _send_again_old_phone(request, pending):
    return profile_change.profile_change_resend(
        user=request.user,
        challenge_id=pending.challenge.pk,
        binding=binding(request),
        ip=client_ip(request),
    ).phone


def _old_phone_context(request, pending):
    what = "номер телефона" if pending.change.kind == ProfileChange.Kind.PHONE else "e-mail"
    return {
        "lead": f"Чтобы сменить {what}, подтвердите, что это вы: код отправлен на ваш "
        "нынешний номер.",
        "lost_phone_url": "accounts:profile_change_lost_phone",
    }


OLD_PHONE = CodeStep(
    confirm="accounts:profile_change_confirm",
    resend="accounts:profile_change_resend",
    restart="accounts:profile",
    pending=_old_phone_pending,
    accept=_accept_old_phone,
    send_again=_send_again_old_phone,
    refused=(profile.ProfileError,),
    forget=(CHANGE_KEY, OLD_PHONE_KEY),
    extra_context=_old_phone_context,
)
profile_change_confirm = login_required(confirm_view(OLD_PHONE))
profile_change_resend = login_required(resend_view(OLD_PHONE))


@login_required
@require_POST
def profile_change_lost_phone(request):
    pending = _old_phone_pending(request)
    if pending is None:
        return redirect("accounts:profile")
    way = profile_change.profile_change_lost_phone(
        user=request.user, change=pending.change, ip=client_ip(request)
    )
    if way == "email":
        messages.success(
            request,
            f"Мы отправили ссылку на ваш подтверждённый e-mail {request.user.email}. "
            "Перейдите по ней, чтобы подтвердить смену.",
        )
    else:
        messages.info(
            request,
            "Подтверждённого e-mail нет, поэтому запрос передан оператору страховщика. "
            "Когда он подтвердит смену, мы сообщим вам в SMS, и вы продолжите здесь.",
        )
    return redirect("accounts:profile")


@never_cache
def profile_change_approve(request, token: str):
    """The link from the e-mail: GET shows a button, POST approves (mail scanners open links)."""
    try:
        data = profile_change.profile_change_link_read(token)
    except profile_change.ChangeLinkInvalid as exc:
        return render(request, "accounts/change_approve.html", {"error": exc.message}, status=400)
    if request.user.is_authenticated and request.user.pk != data["u"]:
        raise Http404
    if request.method == "POST":
        try:
            change = profile_change.profile_change_approve_by_link(
                token=token, ip=client_ip(request)
            )
        except profile_change.ChangeLinkInvalid as exc:
            context = {"error": exc.message}
            return render(request, "accounts/change_approve.html", context, status=400)
        messages.success(request, "Смена подтверждена.")
        if change.kind == ProfileChange.Kind.PHONE:
            where = (
                "Нажмите"
                if request.user.is_authenticated
                else "Войдите и в «Личных данных» нажмите"
            )
            messages.info(request, f"{where} «Отправить код на новый номер».")
        return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/change_approve.html", {"token": token})


@login_required
@require_POST
def profile_change_continue(request):
    """After the e-mail link or the operator: the code to the new number."""
    change = profile_change.profile_change_approved(user=request.user)
    if change is None:
        messages.error(request, "Нет подтверждённой смены номера. Начните заново.")
        return redirect("accounts:profile")
    return _send_new_phone_code(request, change)


# --- the code to the NEW phone ------------------------------------------------------------


def _new_phone_challenge(request):
    try:
        challenge = codes.code_challenge_get(
            challenge_id=request.session.get(PHONE_CHANGE_KEY),
            purpose="phone_change",
            binding=binding(request),
        )
    except codes.CodeNotFound:
        return None
    return challenge if challenge.user_id == request.user.pk else None


def _accept_new_phone(request, challenge, code):
    profile.phone_change_confirm(
        user=request.user,
        challenge_id=challenge.pk,
        binding=binding(request),
        code=code,
        ip=client_ip(request),
    )
    request.session.pop(PHONE_CHANGE_KEY, None)
    messages.success(request, f"Номер телефона изменён на {format_phone(challenge.phone)}.")
    return redirect("accounts:profile")


def _send_again_new_phone(request, challenge):
    return profile.phone_change_resend(
        user=request.user,
        challenge_id=challenge.pk,
        binding=binding(request),
        ip=client_ip(request),
    ).phone


NEW_PHONE = CodeStep(
    confirm="accounts:profile_phone_confirm",
    resend="accounts:profile_phone_resend",
    restart="accounts:profile",
    pending=_new_phone_challenge,
    accept=_accept_new_phone,
    send_again=_send_again_new_phone,
    refused=(profile.ProfileError,),
)
profile_phone_confirm = login_required(confirm_view(NEW_PHONE))
profile_phone_resend = login_required(resend_view(NEW_PHONE))
