"""Thin views: the pay button, the return from the provider, notifications, the sandbox page,
the receipt. Rules live in services."""

import logging

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dms_portal.net import client_ip

from . import selectors, services
from .errors import PaymentError, PaymentInvoiceNotFound, PaymentUnavailable
from .models import Payment, PaymentEvent, SandboxCheckout
from .providers import ProviderError, get_provider, notification_providers
from .providers.sandbox import notification_body, sandbox_checkout_decide

log = logging.getLogger(__name__)
MY_INVOICES = "invoices:my_invoices"
SUCCESS = "Оплата прошла успешно"


def _get_payment_for_user(request, pk) -> Payment:
    try:
        return selectors.payment_for_user(request.user, pk)
    except Payment.DoesNotExist as exc:
        raise Http404 from exc


def _redirect_to_provider(request, payment: Payment):
    return_url = request.build_absolute_uri(reverse("payments:return", args=[payment.pk]))
    try:
        payment = services.payment_checkout(payment=payment, return_url=return_url)
    except PaymentUnavailable as exc:
        messages.warning(request, str(exc))
        return redirect(MY_INVOICES)
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect(MY_INVOICES)
    return redirect(payment.confirmation_url)


@login_required
@require_POST
def payment_start(request):
    # Only the ids are read from the form: the amount is the server's, never the browser's.
    try:
        payment = services.payment_start(
            user=request.user, invoice_ids=request.POST.getlist("invoice_ids")
        )
    except PaymentInvoiceNotFound as exc:
        raise Http404 from exc
    except PaymentError as exc:
        messages.error(request, str(exc))
        return redirect(MY_INVOICES)
    return _redirect_to_provider(request, payment)


@login_required
@require_POST
def payment_resume(request, pk: int):
    payment = _get_payment_for_user(request, pk)
    if payment.payer_id != request.user.pk:
        raise Http404
    if payment.status != Payment.Status.PENDING:
        messages.info(request, "Этот платёж уже завершён")
        return redirect(MY_INVOICES)
    return _redirect_to_provider(request, payment)


@login_required
@require_GET
def payment_return(request, pk: int):
    """The provider sends the user back here. He may be faster than the notification, so the
    payment's state is fetched now; settling is idempotent, so whichever comes first wins."""
    payment = _get_payment_for_user(request, pk)
    if payment.status == Payment.Status.PENDING and payment.provider_payment_id:
        try:
            payment = services.payment_sync(payment_id=payment.pk)
        except (ProviderError, PaymentError) as exc:
            log.warning("return of payment %s: %s", payment.pk, exc)
    if payment.status == Payment.Status.SUCCEEDED and not payment.problem:
        messages.success(request, SUCCESS)
    elif payment.status == Payment.Status.SUCCEEDED:
        messages.warning(request, "Оплата получена и проверяется. Мы сообщим о результате.")
    elif payment.status == Payment.Status.PENDING:
        messages.info(request, "Платёж обрабатывается. Статус счетов обновится автоматически.")
    else:
        messages.warning(request, "Оплата отменена. Счета снова доступны для оплаты.")
    return redirect(MY_INVOICES)


@csrf_exempt
@require_POST
def notification(request, provider: str):
    """The provider's HTTP notification: sender checked, size and rate bounded, body stored
    raw, then processed."""
    if provider not in notification_providers():
        raise Http404
    ip = client_ip(request)
    if services.notification_rate_exceeded(ip=ip):
        return HttpResponse("too many requests", status=429)
    if not get_provider(provider).notification_ip_allowed(ip):
        log.warning("payment notification for %s refused from %s", provider, ip)
        return HttpResponseForbidden("untrusted sender")
    body = _read_capped(request, settings.PAYMENT_NOTIFICATION_MAX_BYTES)
    if body is None:
        log.warning("payment notification for %s from %s too large", provider, ip)
        return HttpResponse("payload too large", status=413)
    event = services.notification_receive(provider=provider, body=body, ip=ip)
    if event.state == PaymentEvent.State.FAILED:
        # Not 200: the provider delivers the notification again later.
        return HttpResponse("retry later", status=503)
    return HttpResponse("ok")


def _read_capped(request, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` bytes (read no further than that)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@login_required
@require_GET
def payment_receipt(request, pk: int):
    payment = _get_payment_for_user(request, pk)
    if payment.status != Payment.Status.SUCCEEDED:
        raise Http404
    return render(request, "payments/receipt.html", {"payment": payment})


# --- the sandbox provider's own pages (stand in for the provider's hosted checkout) ---------


def sandbox_checkout(request, token: str):
    # Not routed unless the sandbox is the configured provider; this guard is the second lock.
    if settings.PAYMENT_PROVIDER != "sandbox":
        raise Http404
    checkout = get_object_or_404(SandboxCheckout, token=token)
    if request.method == "POST":
        checkout = sandbox_checkout_decide(token=token, pay=request.POST.get("decision") == "pay")
        _sandbox_notify(request, checkout)
        return redirect(checkout.return_url)
    return render(request, "payments/sandbox_checkout.html", {"checkout": checkout})


def _sandbox_notify(request, checkout: SandboxCheckout) -> None:
    """Deliver the notification over HTTP to our own endpoint, as a real provider does. When
    the server cannot call itself (a single-threaded server), the same handler runs in-process;
    the return view fetches the state anyway, so nothing depends on this arriving."""
    import json

    body = json.dumps(notification_body(checkout), ensure_ascii=False).encode()
    url = request.build_absolute_uri(reverse("payments:notification", args=["sandbox"]))
    try:
        requests.post(
            url, data=body, headers={"Content-Type": "application/json"}, timeout=5
        ).raise_for_status()
    except requests.RequestException as exc:
        log.info("sandbox notification over HTTP failed (%s); delivering in-process", exc)
        services.notification_receive(provider="sandbox", body=body, ip=None)
