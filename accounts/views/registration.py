"""Registration: the form, then «Подтверждение телефона» (codeflow), then the account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .. import forms
from ..ip import client_ip, user_agent
from ..services import codes, consent, registration
from .codeflow import CodeStep, binding, confirm_view, resend_view

PENDING_KEY = "accounts_pending_registration"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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
                binding=binding(request),
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
    return registration.registration_pending_get(pending_id=request.session.get(PENDING_KEY))


def _accept(request, pending, code):
    user = registration.registration_confirm(
        pending=pending, code=code, binding=binding(request), ip=client_ip(request)
    )
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=MODEL_BACKEND)
    request.session.set_expiry(0)
    messages.success(request, "Регистрация завершена. Добро пожаловать в личный кабинет!")
    return redirect(settings.LOGIN_REDIRECT_URL)


def _send_again(request, pending):
    registration.registration_resend(
        pending=pending, binding=binding(request), ip=client_ip(request)
    )
    return pending.phone


STEP = CodeStep(
    confirm="accounts:register_confirm",
    resend="accounts:register_resend",
    restart="accounts:register",
    pending=_pending,
    accept=_accept,
    send_again=_send_again,
    refused=(registration.RegistrationRefused,),
    forget=(PENDING_KEY,),
    missing_message="Заполните форму регистрации.",
)
register_confirm = confirm_view(STEP)
register_resend = resend_view(STEP)
