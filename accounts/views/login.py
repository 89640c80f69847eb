"""Login, the lockout page and logout."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .. import forms

REMEMBER_ME_SECONDS = 30 * 24 * 3600


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
