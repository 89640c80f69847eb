"""«Личные данные»: changing the phone or the e-mail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .. import forms
from ..ip import client_ip
from ..phones import format_phone
from ..services import codes, email, profile
from .codeflow import CodeStep, binding, confirm_view, resend_view
from .profile import profile_page

PHONE_CHANGE_KEY = "accounts_phone_change_challenge"


@login_required
@require_POST
def profile_email(request):
    form = forms.EmailChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return profile_page(request, email_form=form)
    email.email_change_request(
        user=request.user, new_email=form.cleaned_data["email"], ip=client_ip(request)
    )
    messages.success(
        request,
        f"Мы отправили ссылку для подтверждения на {form.cleaned_data['email']}. "
        "E-mail изменится, когда вы перейдёте по ней.",
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def profile_phone(request):
    form = forms.NewPhoneForm(request.POST)
    if not form.is_valid():
        return profile_page(request, phone_form=form)
    try:
        challenge = profile.phone_change_start(
            user=request.user,
            new_phone=form.cleaned_data["phone"],
            binding=binding(request),
            ip=client_ip(request),
        )
    except (profile.ProfileError, codes.CodeRateLimited) as exc:
        form.add_error("phone", exc.message)
        return profile_page(request, phone_form=form)
    request.session[PHONE_CHANGE_KEY] = challenge.pk
    return redirect("accounts:profile_phone_confirm")


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
