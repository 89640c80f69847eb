"""«Забыли пароль?»: phone → «Подтверждение телефона» (codeflow) → new password."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import forms
from ..ip import client_ip
from ..services import codes, recovery
from .codeflow import CodeStep, binding, confirm_view, resend_view

RESET_KEY = "accounts_reset_challenge"
RESET_VERIFIED_KEY = "accounts_reset_verified"


@never_cache
def password_forgot(request):
    form = forms.PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = recovery.password_reset_start(
                phone=form.cleaned_data["phone"], binding=binding(request), ip=client_ip(request)
            )
        except codes.CodeRateLimited as exc:
            form.add_error(None, exc.message)
        else:
            request.session[RESET_KEY] = challenge.pk
            request.session.pop(RESET_VERIFIED_KEY, None)
            return redirect("accounts:password_forgot_confirm")
    return render(request, "accounts/password_forgot.html", {"form": form})


def _challenge(request):
    challenge_id = request.session.get(RESET_KEY)
    if not challenge_id:
        return None
    try:
        return codes.code_challenge_get(
            challenge_id=challenge_id, purpose="password_reset", binding=binding(request)
        )
    except codes.CodeNotFound:
        return None


def _accept(request, challenge, code):
    recovery.password_reset_verify(challenge_id=challenge.pk, binding=binding(request), code=code)
    request.session[RESET_VERIFIED_KEY] = challenge.pk
    return redirect("accounts:password_reset_new")


def _send_again(request, challenge):
    return recovery.password_reset_resend(
        challenge_id=challenge.pk, binding=binding(request), ip=client_ip(request)
    ).phone


STEP = CodeStep(
    confirm="accounts:password_forgot_confirm",
    resend="accounts:password_forgot_resend",
    restart="accounts:password_forgot",
    pending=_challenge,
    accept=_accept,
    send_again=_send_again,
)
password_forgot_confirm = confirm_view(STEP)
password_forgot_resend = resend_view(STEP)


@sensitive_post_parameters("password1", "password2")
@never_cache
def password_reset_new(request):
    challenge_id = request.session.get(RESET_VERIFIED_KEY)
    if not challenge_id:
        return redirect("accounts:password_forgot")
    form = forms.SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset_complete(
                challenge_id=challenge_id,
                binding=binding(request),
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except (recovery.RecoveryError, codes.CodeError) as exc:
            request.session.pop(RESET_VERIFIED_KEY, None)
            messages.error(request, exc.message)
            return redirect("accounts:password_forgot")
        request.session.pop(RESET_VERIFIED_KEY, None)
        request.session.pop(RESET_KEY, None)
        messages.success(request, "Пароль изменён. Войдите с новым паролем.")
        return redirect("accounts:login")
    return render(request, "accounts/password_new.html", {"form": form})
