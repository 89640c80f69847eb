"""Accounts pages: login, registration, phone confirmation, recovery, «Личные данные».

Views are thin: a form validates, one service acts, the view redirects. Steps that span
pages keep only ids in the session; the session's binding token ties codes to this browser.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from policies.selectors import person_for_user

from . import forms
from .ip import client_ip, user_agent
from .models import ConsentDocument
from .phones import format_phone
from .selectors import consent_history, consent_in_force
from .services import codes, consent, email, profile, recovery, registration

REMEMBER_ME_SECONDS = 30 * 24 * 3600
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

PENDING_KEY = "accounts_pending_registration"
RESET_KEY = "accounts_reset_challenge"
RESET_VERIFIED_KEY = "accounts_reset_verified"
PHONE_CHANGE_KEY = "accounts_phone_change_challenge"

MSG_CODE_RESENT = "Новый код отправлен в SMS на номер {phone}. Он действует 10 минут."


# --- login / logout ------------------------------------------------------------------------


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = forms.LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.user)
        # «Запомнить меня»: 30 days; otherwise the cookie dies with the browser.
        request.session.set_expiry(REMEMBER_ME_SECONDS if form.cleaned_data["remember_me"] else 0)
        return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request) or ""})


def lockout(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this for a locked phone, and accounts.backends for a throttled
    address (AXES_LOCKOUT_CALLABLE)."""
    minutes = round(float(settings.AXES_COOLOFF_TIME or 0) * 60)
    context = {
        "form": forms.LoginForm(request),
        "locked": True,
        "locked_address": getattr(request, "accounts_address_throttled", False),
        "cooloff_minutes": minutes,
    }
    return render(request, "accounts/login.html", context, status=429)


@require_POST
def logout_view(request):
    auth_logout(request)
    messages.info(request, "Вы вышли из личного кабинета.")
    return redirect("accounts:login")


# --- consent text --------------------------------------------------------------------------


def consent_text(request, version: str | None = None):
    if version is None:
        document = consent.consent_document_in_force()
    else:
        document = ConsentDocument.objects.filter(version=version).first()
    if document is None:
        raise Http404
    return render(request, "accounts/consent_text.html", {"document": document})


# --- registration --------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    document = consent.consent_document_in_force()
    form = forms.RegistrationForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pending = registration.registration_start(
                last_name=data["last_name"],
                first_name=data["first_name"],
                birth_date=data["birth_date"],
                number=data["number"],
                phone=data["phone"],
                email=data["email"],
                password=data["password1"],
                consent_document=document,
                binding=codes.session_binding(request.session),
                ip=client_ip(request),
                user_agent=user_agent(request),
            )
        except registration.RegistrationRefused as exc:
            if exc.code == "birth_date":
                form.add_error("birth_date", exc.message)
            else:
                refusal = exc
        except codes.CodeRateLimited as exc:
            form.add_error(None, exc.message)
        else:
            request.session[PENDING_KEY] = pending.pk
            return redirect("accounts:register_confirm")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "document": document, "refusal": refusal},
    )


def _pending(request):
    pending = registration.registration_pending_get(pending_id=request.session.get(PENDING_KEY))
    if pending is None:
        messages.error(request, "Заполните форму регистрации.")
    return pending


def _confirm_page(request, form, *, phone, confirm_url, resend_url, restart_url, burned=False):
    return render(
        request,
        "accounts/confirm_phone.html",
        {
            "form": form,
            "phone": format_phone(phone),
            "confirm_url": confirm_url,
            "resend_url": resend_url,
            "restart_url": restart_url,
            "burned": burned,
        },
    )


@never_cache
def register_confirm(request):
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:register")
    form = forms.CodeForm(request.POST or None)
    burned = False
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.registration_confirm(
                pending=pending,
                code=form.cleaned_data["code"],
                binding=codes.session_binding(request.session),
                ip=client_ip(request),
            )
        except codes.CodeError as exc:
            burned = isinstance(exc, codes.CodeBurned | codes.CodeNotFound)
            form.add_error("code", exc.message)
        except registration.RegistrationRefused as exc:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, exc.message)
            return redirect("accounts:register")
        else:
            request.session.pop(PENDING_KEY, None)
            auth_login(request, user, backend=MODEL_BACKEND)
            request.session.set_expiry(0)
            messages.success(request, "Регистрация завершена. Добро пожаловать в личный кабинет!")
            return redirect(settings.LOGIN_REDIRECT_URL)
    return _confirm_page(
        request,
        form,
        phone=pending.phone,
        confirm_url=reverse("accounts:register_confirm"),
        resend_url=reverse("accounts:register_resend"),
        restart_url=reverse("accounts:register"),
        burned=burned,
    )


@require_POST
def register_resend(request):
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:register")
    try:
        registration.registration_resend(
            pending=pending, binding=codes.session_binding(request.session), ip=client_ip(request)
        )
    except registration.RegistrationRefused as exc:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, exc.message)
        return redirect("accounts:register")
    except codes.CodeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_CODE_RESENT.format(phone=format_phone(pending.phone)))
    return redirect("accounts:register_confirm")


# --- «Забыли пароль?» ----------------------------------------------------------------------


@never_cache
def password_forgot(request):
    form = forms.PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            challenge = recovery.password_reset_start(
                phone=phone, binding=codes.session_binding(request.session), ip=client_ip(request)
            )
        except codes.CodeRateLimited as exc:
            form.add_error(None, exc.message)
        else:
            request.session[RESET_KEY] = challenge.pk
            request.session.pop(RESET_VERIFIED_KEY, None)
            return redirect("accounts:password_forgot_confirm")
    return render(request, "accounts/password_forgot.html", {"form": form})


def _reset_challenge(request):
    challenge_id = request.session.get(RESET_KEY)
    if not challenge_id:
        return None
    try:
        return codes.code_challenge_get(
            challenge_id=challenge_id,
            purpose="password_reset",
            binding=codes.session_binding(request.session),
        )
    except codes.CodeNotFound:
        return None


@never_cache
def password_forgot_confirm(request):
    challenge = _reset_challenge(request)
    if challenge is None:
        return redirect("accounts:password_forgot")
    form = forms.CodeForm(request.POST or None)
    burned = False
    if request.method == "POST" and form.is_valid():
        try:
            recovery.password_reset_verify(
                challenge_id=challenge.pk,
                binding=codes.session_binding(request.session),
                code=form.cleaned_data["code"],
            )
        except codes.CodeError as exc:
            burned = isinstance(exc, codes.CodeBurned | codes.CodeNotFound)
            form.add_error("code", exc.message)
        else:
            request.session[RESET_VERIFIED_KEY] = challenge.pk
            return redirect("accounts:password_reset_new")
    return _confirm_page(
        request,
        form,
        phone=challenge.phone,
        confirm_url=reverse("accounts:password_forgot_confirm"),
        resend_url=reverse("accounts:password_forgot_resend"),
        restart_url=reverse("accounts:password_forgot"),
        burned=burned,
    )


@require_POST
def password_forgot_resend(request):
    challenge_id = request.session.get(RESET_KEY)
    if not challenge_id:
        return redirect("accounts:password_forgot")
    try:
        challenge = recovery.password_reset_resend(
            challenge_id=challenge_id,
            binding=codes.session_binding(request.session),
            ip=client_ip(request),
        )
    except codes.CodeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_CODE_RESENT.format(phone=format_phone(challenge.phone)))
    return redirect("accounts:password_forgot_confirm")


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
                binding=codes.session_binding(request.session),
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


# --- «Личные данные» -----------------------------------------------------------------------


def _profile_page(request, status=200, **forms_):
    user = request.user
    person = person_for_user(user)
    context = {
        "person": person,
        "phone": format_phone(user.phone),
        "consent": consent_in_force(person=person),
        "consent_history": consent_history(person=person),
        "email_form": forms_.get("email_form") or forms.EmailChangeForm(user=user),
        "phone_form": forms_.get("phone_form") or forms.NewPhoneForm(),
        "password_form": forms_.get("password_form") or forms.PasswordChangeForm(user=user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@never_cache
def profile_view(request):
    return _profile_page(request)


@login_required
@require_POST
def profile_email(request):
    form = forms.EmailChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _profile_page(request, email_form=form)
    email.email_change_request(
        user=request.user, new_email=form.cleaned_data["email"], ip=client_ip(request)
    )
    messages.success(
        request,
        f"Мы отправили ссылку для подтверждения на {form.cleaned_data['email']}. "
        "E-mail изменится, когда вы перейдёте по ней.",
    )
    return redirect("accounts:profile")


@never_cache
def email_confirm(request, token: str):
    """GET shows a button; the POST applies it (mail scanners open links, people press buttons)."""
    try:
        data = email.email_token_read(token)
    except email.EmailTokenInvalid as exc:
        return render(request, "accounts/email_confirm.html", {"error": exc.message}, status=400)
    if request.user.is_authenticated and request.user.pk != data["u"]:
        raise Http404
    if request.method == "POST":
        try:
            email.email_change_confirm(token=token, ip=client_ip(request), actor=request.user)
        except email.EmailTokenInvalid as exc:
            return render(
                request, "accounts/email_confirm.html", {"error": exc.message}, status=400
            )
        messages.success(request, f"E-mail {data['new']} подтверждён.")
        return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/email_confirm.html", {"new_email": data["new"]})


@login_required
@require_POST
def profile_password(request):
    form = forms.PasswordChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _profile_page(request, password_form=form)
    user = profile.password_change(
        user=request.user, new_password=form.cleaned_data["password1"], ip=client_ip(request)
    )
    # Keep this session; every other session of the account ends with the old password.
    update_session_auth_hash(request, user)
    messages.success(request, "Пароль изменён.")
    return redirect("accounts:profile")


@login_required
@require_POST
def profile_phone(request):
    form = forms.NewPhoneForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, phone_form=form)
    try:
        challenge = profile.phone_change_start(
            user=request.user,
            new_phone=form.cleaned_data["phone"],
            binding=codes.session_binding(request.session),
            ip=client_ip(request),
        )
    except (profile.ProfileError, codes.CodeRateLimited) as exc:
        form.add_error("phone", exc.message)
        return _profile_page(request, phone_form=form)
    request.session[PHONE_CHANGE_KEY] = challenge.pk
    return redirect("accounts:profile_phone_confirm")


@login_required
@never_cache
def profile_phone_confirm(request):
    challenge_id = request.session.get(PHONE_CHANGE_KEY)
    try:
        challenge = codes.code_challenge_get(
            challenge_id=challenge_id,
            purpose="phone_change",
            binding=codes.session_binding(request.session),
        )
    except codes.CodeNotFound:
        return redirect("accounts:profile")
    if challenge.user_id != request.user.pk:
        raise Http404
    form = forms.CodeForm(request.POST or None)
    burned = False
    if request.method == "POST" and form.is_valid():
        try:
            profile.phone_change_confirm(
                user=request.user,
                challenge_id=challenge.pk,
                binding=codes.session_binding(request.session),
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except codes.CodeError as exc:
            burned = isinstance(exc, codes.CodeBurned | codes.CodeNotFound)
            form.add_error("code", exc.message)
        except profile.ProfileError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:profile")
        else:
            request.session.pop(PHONE_CHANGE_KEY, None)
            messages.success(request, f"Номер телефона изменён на {format_phone(challenge.phone)}.")
            return redirect("accounts:profile")
    return _confirm_page(
        request,
        form,
        phone=challenge.phone,
        confirm_url=reverse("accounts:profile_phone_confirm"),
        resend_url=reverse("accounts:profile_phone_resend"),
        restart_url=reverse("accounts:profile"),
        burned=burned,
    )


@login_required
@require_POST
def profile_phone_resend(request):
    try:
        challenge = profile.phone_change_resend(
            user=request.user,
            challenge_id=request.session.get(PHONE_CHANGE_KEY),
            binding=codes.session_binding(request.session),
            ip=client_ip(request),
        )
    except codes.CodeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_CODE_RESENT.format(phone=format_phone(challenge.phone)))
    return redirect("accounts:profile_phone_confirm")


@login_required
@never_cache
def consent_withdraw(request):
    record = consent_in_force(person=person_for_user(request.user))
    if record is None:
        raise Http404
    if request.method == "POST":
        consent.consent_withdraw(user=request.user, record_id=record.pk, ip=client_ip(request))
        auth_logout(request)
        messages.info(
            request,
            "Согласие на обработку персональных данных отозвано, личный кабинет закрыт. "
            "Чтобы снова пользоваться им, пройдите регистрацию заново.",
        )
        return redirect("accounts:login")
    return render(request, "accounts/consent_withdraw.html", {"consent": record})
