"""«Формы обратной связи» and «Бонусный ВЗР»: thin views over selectors and services."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.services import read_access_log
from dms_portal import clock, pagecache
from dms_portal.net import client_ip
from invoices.models import Invoice
from invoices.services.disputes import invoice_disputable_reason
from policies.selectors import people_for_user

from . import selectors, services
from .errors import FeedbackError
from .forms import AppealForm
from .models import Appeal, AppealAttachment, BonusTravelPolicy
from .travel import services as travel
from .travel.forms import TravelPolicyForm


def _invoice_or_404(request, invoice_id) -> Invoice:
    try:
        return selectors.get_invoice_for_user(request.user, int(invoice_id))
    except (Invoice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
@pagecache.per_session
def index(request):
    people = people_for_user(request.user)
    invoices = selectors.disputable_invoices_for_user(request.user)
    # The «Несогласие с услугой» link of «Мои счета»: ?invoice=<id>&kind=service_dispute.
    asked = request.POST.get("invoice") or request.GET.get("invoice")
    asked_invoice = _invoice_or_404(request, asked) if asked else None
    upcoming_lines = selectors.upcoming_lines_for_user(request.user)
    if request.method == "POST":
        form = AppealForm(
            request.POST,
            request.FILES,
            people=people,
            invoices=invoices,
            upcoming_lines=upcoming_lines,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = services.appeal_create(
                    user=request.user,
                    person=data.get("person") or people.first(),
                    kind=data["kind"],
                    text=data.get("text") or "",
                    files=data["attachments"],
                    invoice=data.get("invoice"),
                    line_ids=[line.pk for line in data.get("lines") or []],
                    reason=data.get("reason") or "",
                    ip=client_ip(request),
                    service_line_id=data["service_line"].pk if data.get("service_line") else None,
                )
            except FeedbackError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Обращение № {appeal.pk} отправлено. Ответ — до {appeal.deadline:%d.%m.%Y}.",
                )
                return redirect("feedback:detail", pk=appeal.pk)
    else:
        initial = {"kind": request.GET.get("kind") or Appeal.Kind.QUESTION}
        if initial["kind"] not in Appeal.Kind.values:
            initial["kind"] = Appeal.Kind.QUESTION
        first = people.first()
        if first:
            initial["person"] = first.pk
        if asked_invoice is not None:
            reason = invoice_disputable_reason(asked_invoice)
            if reason:
                messages.error(request, f"Счёт {asked_invoice.number} нельзя оспорить: {reason}.")
            else:
                initial.update(kind=Appeal.Kind.SERVICE_DISPUTE, invoice=asked_invoice.pk)
                initial.update(_not_me_initial(request, invoice_line=True))
        if request.GET.get("service_line"):
            initial.update(_asked_upcoming(request, upcoming_lines))
        form = AppealForm(
            initial=initial, people=people, invoices=invoices, upcoming_lines=upcoming_lines
        )
    chosen = _chosen_invoice(invoices, form["invoice"].value())
    chosen_line = _chosen_upcoming(upcoming_lines, form["service_line"].value())
    return render(
        request,
        "feedback/index.html",
        {
            "form": form,
            "has_people": people.exists(),
            "has_invoices": invoices.exists(),
            "chosen_invoice": chosen,
            "chosen_service_line": chosen_line,
            "chosen_lines": selectors.dispute_lines(chosen) if chosen else [],
            "selected_lines": {str(v) for v in (form["lines"].value() or [])},
            "appeals": selectors.appeals_for_user(request.user),
        },
    )


def _not_me_initial(request, *, invoice_line: bool) -> dict:
    """«Это был не я» (SPEC §3.8): the reason and, from an invoice, the one line, pre-filled."""
    initial = {}
    if request.GET.get("reason") in Appeal.Reason.values:
        initial["reason"] = request.GET["reason"]
    if invoice_line and (request.GET.get("line") or "").isdigit():
        initial["lines"] = [int(request.GET["line"])]
    return initial


def _asked_upcoming(request, upcoming_lines) -> dict:
    line = _chosen_upcoming(upcoming_lines, request.GET.get("service_line"))
    if line is None:
        messages.error(request, "Эта услуга уже вошла в счёт или недоступна.")
        return {}
    if line.dispute_open:
        messages.error(request, f"Услуга «{line.service_name}» уже оспаривается.")
        return {}
    return {
        "kind": Appeal.Kind.SERVICE_DISPUTE,
        "service_line": line.pk,
        "person": line.person_id,
        **_not_me_initial(request, invoice_line=False),
    }


def _chosen_upcoming(upcoming_lines, value):
    try:
        return upcoming_lines.get(pk=int(value)) if value else None
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        return None


def _chosen_invoice(invoices, value) -> Invoice | None:
    try:
        return invoices.get(pk=int(value)) if value else None
    except (Invoice.DoesNotExist, ValueError, TypeError):
        return None


@login_required
def detail(request, pk: int):
    try:
        appeal = selectors.get_appeal_for_user(request.user, pk)
    except Appeal.DoesNotExist:
        raise Http404 from None
    invoice = corrections = None
    if appeal.invoice_id:
        # The appeal is the user's (checked above); its invoice is shown even if the roster
        # later moved the person to another sponsor.
        invoice = selectors.get_appeal_invoice(appeal)
        corrections = invoice.corrections.prefetch_related("lines__invoice_line")
        invoice.payable = invoice.payable_amount()
    return render(
        request,
        "feedback/detail.html",
        {"appeal": appeal, "invoice": invoice, "corrections": corrections},
    )


@login_required
@require_GET
def attachment(request, pk: int):
    """Files live outside the web root; only the appeal's owner and experts get them."""
    try:
        item = services.attachment_download(
            user=request.user, attachment_id=pk, ip=client_ip(request)
        )
        handle = item.file.open("rb")
        read_access_log(request=request, kind="appeal_attachment", target=item)
    except (AppealAttachment.DoesNotExist, FileNotFoundError):
        # Another user's file looks like a missing one.
        raise Http404("Файл не найден.") from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=True,
        filename=item.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def travel_index(request):
    people = people_for_user(request.user)
    if request.method == "POST":
        form = TravelPolicyForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            try:
                policy = travel.travel_policy_issue(
                    user=request.user,
                    countries=data["countries"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    travellers=data["travellers"],
                    ip=client_ip(request),
                )
            except FeedbackError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Полис {policy.number} оформлен. Скачайте сертификат ниже."
                )
                return redirect("feedback:travel")
    else:
        form = TravelPolicyForm(people=people)
    return render(
        request,
        "feedback/travel.html",
        {
            "form": form,
            "has_people": bool(form.people),
            "policies": selectors.travel_policies_for_user(request.user),
            "today": clock.moscow_today(),
        },
    )


@login_required
@require_GET
def travel_pdf(request, pk: int):
    try:
        policy = selectors.get_travel_policy_for_user(request.user, pk)
    except BonusTravelPolicy.DoesNotExist:
        raise Http404 from None
    data = travel.travel_policy_pdf(policy=policy)
    response = HttpResponse(data, content_type=mimetypes.types_map[".pdf"])
    response["Content-Disposition"] = f'inline; filename="bonus-vzr-{policy.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def travel_cancel(request, pk: int):
    # Another user's policy id is a 404, as on every object URL (the sweep checks it).
    if not selectors.travel_policies_for_user(request.user).filter(pk=pk).exists():
        raise Http404
    try:
        policy = travel.travel_policy_cancel(user=request.user, policy_id=pk, ip=client_ip(request))
    except FeedbackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Полис {policy.number} отменён, дни поездки вернулись в лимит.")
    return redirect("feedback:travel")
