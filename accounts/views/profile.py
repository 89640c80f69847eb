"""«Личные данные»: the page, e-mail confirmation links, password, consent."""

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dms_portal import pagecache
from policies.selectors import person_for_user

from .. import forms
from ..ip import client_ip
from ..models import ConsentDocument
from ..phones import format_phone
from ..selectors import consent_history, consent_in_force
from ..services import consent, email, profile, profile_change


def profile_page(request, status=200, **forms_):
    """The page with its three forms; a form given here (with its errors) replaces a blank one.
    A form whose current password locked the account answers 429."""
    user = request.user
    person = person_for_user(user)
    if any(getattr(form, "locked", False) for form in forms_.values()):
        status = 429
    approved = profile_change.profile_change_approved(user=user)
    context = {
        "approved_change": approved,
        "approved_phone": format_phone(approved.new_value) if approved else "",
        "waiting_change": profile_change.profile_change_waiting(user=user),
        "person": person,
        "phone": format_phone(user.phone),
        "consent": consent_in_force(person=person),
        "consent_history": consent_history(person=person),
        "email_form": forms_.get("email_form") or forms.EmailChangeForm(user=user),
        "phone_form": forms_.get("phone_form") or forms.NewPhoneForm(user=user),
        "password_form": forms_.get("password_form") or forms.PasswordChangeForm(user=user),
        "digest_form": forms.DigestForm(initial={"monthly_digest": user.monthly_digest}),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@never_cache
@pagecache.per_session
def profile_view(request):
    return profile_page(request)


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
    form = forms.PasswordChangeForm(request.POST, user=request.user, request=request)
    if not form.is_valid():
        return profile_page(request, password_form=form)
    user = profile.password_change(
        user=request.user, new_password=form.cleaned_data["password1"], ip=client_ip(request)
    )
    # Keep this session; every other session of the account ends with the old password.
    update_session_auth_hash(request, user)
    messages.success(request, "Пароль изменён.")
    return redirect("accounts:profile")


@login_required
@require_POST
def profile_digest(request):
    form = forms.DigestForm(request.POST)
    form.is_valid()  # a checkbox: absent or anything is a valid «off» / «on»
    enabled = form.cleaned_data.get("monthly_digest", False)
    profile.digest_preference_set(user=request.user, enabled=enabled, ip=client_ip(request))
    messages.success(
        request,
        "Ежемесячная сводка включена." if enabled else "Ежемесячная сводка больше не придёт.",
    )
    return redirect("accounts:profile")


def consent_text(request, version: str | None = None):
    if version is None:
        document = consent.consent_document_in_force()
    else:
        document = ConsentDocument.objects.filter(version=version).first()
    if document is None:
        raise Http404
    return render(request, "accounts/consent_text.html", {"document": document})


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
