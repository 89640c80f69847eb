"""«Подтверждение телефона», written once.

Registration, recovery and both phones of a change each describe their step as a `CodeStep`
(what is pending, what a right code does, how to send a new one); the page, the wrong-code and
burned-code handling and «Отправить код повторно» are the same for all of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import forms
from ..phones import format_phone
from ..services import codes

MSG_CODE_RESENT = "Новый код отправлен в SMS на номер {phone}. Он действует 10 минут."


def binding(request: HttpRequest) -> str:
    return codes.session_binding(request.session)


@dataclass(frozen=True)
class CodeStep:
    """One code step. `pending(request)` returns the pending object (it has `.phone`) or None;
    `accept(request, pending, code)` acts on a right code and returns the response, raising
    a CodeError for a wrong one; `send_again(request, pending)` returns the phone a new code
    went to. An exception of `refused` ends the step: `forget` clears its session keys and the
    person goes back to `restart` with the exception's message."""

    confirm: str
    resend: str
    restart: str
    pending: Callable[[HttpRequest], Any]
    accept: Callable[[HttpRequest, Any, str], HttpResponse]
    send_again: Callable[[HttpRequest, Any], Any]
    refused: tuple[type[Exception], ...] = ()
    forget: tuple[str, ...] = ()
    missing_message: str = ""
    extra_context: Callable[[HttpRequest, Any], dict] = field(default=lambda request, p: {})


def _missing(request: HttpRequest, step: CodeStep) -> HttpResponse:
    if step.missing_message:
        messages.error(request, step.missing_message)
    return redirect(step.restart)


def _refused(request: HttpRequest, step: CodeStep, exc: Exception) -> HttpResponse:
    for key in step.forget:
        request.session.pop(key, None)
    messages.error(request, exc.message)
    return redirect(step.restart)


def confirm_page(request, form, *, step: CodeStep, phone: str, burned=False, **extra):
    context = {
        "form": form,
        "phone": format_phone(phone),
        "confirm_url": reverse(step.confirm),
        "resend_url": reverse(step.resend),
        "restart_url": reverse(step.restart),
        "burned": burned,
        **extra,
    }
    return render(request, "accounts/confirm_phone.html", context)


def confirm_view(step: CodeStep):
    @never_cache
    def view(request):
        pending = step.pending(request)
        if pending is None:
            return _missing(request, step)
        form = forms.CodeForm(request.POST or None)
        burned = False
        if request.method == "POST" and form.is_valid():
            try:
                return step.accept(request, pending, form.cleaned_data["code"])
            except codes.CodeError as exc:
                burned = isinstance(exc, codes.CodeBurned | codes.CodeNotFound)
                form.add_error("code", exc.message)
            except step.refused as exc:
                return _refused(request, step, exc)
        return confirm_page(
            request,
            form,
            step=step,
            phone=pending.phone,
            burned=burned,
            **step.extra_context(request, pending),
        )

    return view


def resend_view(step: CodeStep):
    @require_POST
    def view(request):
        pending = step.pending(request)
        if pending is None:
            return _missing(request, step)
        try:
            phone = step.send_again(request, pending)
        except step.refused as exc:
            return _refused(request, step, exc)
        except codes.CodeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, MSG_CODE_RESENT.format(phone=format_phone(phone)))
        return redirect(step.confirm)

    return view
