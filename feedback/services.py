"""Business steps of appeals (SPEC §3.5): filing, the expert's workflow, the outcome.

Every step locks the appeal row, checks its state, writes a history event (which the user
sees unless it is an internal comment), an audit entry and notifies the user. The invoice side
(status, due clock, correction document, deposit credit) lives in invoices.services.disputes.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from audit.services import audit_log
from dms_portal import clock
from dms_portal.money import format_rub
from invoices.errors import InvoiceError
from invoices.models import Invoice
from invoices.services import disputes
from invoices.services.disputes import line_corrected_total
from notifications.services import notify
from policies.models import InsuredPerson

from . import upcoming
from .errors import FeedbackError
from .models import Appeal, AppealAttachment, AppealEvent, AppealLine
from .selectors import get_attachment_for_user
from .uploads import sniff_content_type

K = Appeal.Kind
ST = Appeal.Status
EV = AppealEvent.Kind


def _notify(appeal: Appeal, event: AppealEvent, name: str, **context) -> None:
    user = appeal.user
    notify(
        event=f"feedback_{name}",
        context={"appeal": appeal, "event": event, **context},
        phone=str(user.phone) if user.phone else None,
        email=user.email or None,
        key=f"feedback:{event.pk}",
        user_id=user.pk,
    )


def _event(appeal: Appeal, kind: str, *, by=None, text: str = "", internal=False) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal, kind=kind, created_at=clock.now(), actor=by, text=text, internal=internal
    )


def _locked(appeal_id: int) -> Appeal:
    return Appeal.objects.select_for_update().select_related("user").get(pk=appeal_id)


def _require_open(appeal: Appeal) -> None:
    if not appeal.is_open:
        raise FeedbackError(f"Обращение № {appeal.pk} уже закрыто")


@transaction.atomic
def appeal_create(
    *,
    user,
    person: InsuredPerson,
    kind: str,
    text: str,
    files: Sequence[UploadedFile] = (),
    invoice: Invoice | None = None,
    line_ids: Iterable[int] = (),
    reason: str = "",
    ip: str | None = None,
    service_line_id: int | None = None,
) -> Appeal:
    """File an appeal. The caller has checked that `person` and `invoice` (or the upcoming
    `service_line_id`) are the user's (policies.selectors.people_for_user). A dispute marks
    the invoice ОСПАРИВАЕТСЯ, or holds the upcoming line out of invoice runs."""
    line_ids = sorted(set(line_ids))
    if kind == K.SERVICE_DISPUTE and service_line_id:
        if reason not in Appeal.Reason.values:
            raise FeedbackError("Укажите причину несогласия")
        service_line = upcoming.service_line_dispute_open(line_id=service_line_id, actor=user)
        person, invoice, line_ids = service_line.person, None, []
    elif kind == K.SERVICE_DISPUTE:
        if invoice is None or not line_ids:
            raise FeedbackError("Выберите счёт и оспариваемые услуги")
        if reason not in Appeal.Reason.values:
            raise FeedbackError("Укажите причину несогласия")
        person = invoice.person
        try:
            # Locks the invoice first: two disputes of the same lines queue up here.
            disputes.invoice_dispute_open(
                invoice_id=invoice.pk, line_ids=line_ids, actor=user, reference="appeal"
            )
        except InvoiceError as exc:
            raise FeedbackError(str(exc)) from exc
        busy = AppealLine.objects.filter(invoice_line_id__in=line_ids, is_open=True).first()
        if busy:
            raise FeedbackError(
                f"Услуга «{busy.invoice_line.service_name}» уже оспаривается "
                f"в обращении № {busy.appeal_id}"
            )
    else:
        invoice, line_ids, reason, service_line_id = None, [], "", None
    now = clock.now()
    appeal = Appeal.objects.create(
        user=user,
        person=person,
        kind=kind,
        text=text.strip(),
        created_at=now,
        deadline=Appeal.deadline_for(now),
        invoice=invoice,
        service_line_id=service_line_id if kind == K.SERVICE_DISPUTE else None,
        dispute_reason=reason,
    )
    try:
        with transaction.atomic():
            AppealLine.objects.bulk_create(
                AppealLine(appeal=appeal, invoice_line_id=pk) for pk in line_ids
            )
    except IntegrityError as exc:  # a concurrent appeal won the same line
        raise FeedbackError("Эти услуги уже оспариваются в другом обращении") from exc
    for upload in files:
        content_type = sniff_content_type(upload)
        AppealAttachment.objects.create(
            appeal=appeal,
            file=upload,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size,
        )
    event = _event(appeal, EV.CREATED, by=user)
    audit_log(action="appeal.create", actor=user, target=appeal, ip=ip, kind=kind)
    _notify(appeal, event, "received")
    return appeal


@transaction.atomic
def appeal_assign(*, appeal_id: int, expert, by) -> Appeal:
    if not getattr(expert, "is_staff", False):
        raise FeedbackError("Назначить можно только сотрудника страховщика")
    appeal = _locked(appeal_id)
    _require_open(appeal)
    if appeal.assigned_to_id == expert.pk:
        return appeal
    appeal.assigned_to = expert
    appeal.status = ST.IN_REVIEW
    appeal.save(update_fields=["assigned_to", "status"])
    event = _event(appeal, EV.ASSIGNED, by=by, text="Обращение передано эксперту на рассмотрение")
    audit_log(action="appeal.assign", actor=by, target=appeal, expert=expert.pk)
    _notify(appeal, event, "assigned")
    return appeal


@transaction.atomic
def appeal_comment(*, appeal_id: int, text: str, by) -> AppealEvent:
    """An internal note between experts: never shown to the user, nobody is notified."""
    text = (text or "").strip()
    if not text:
        raise FeedbackError("Введите текст комментария")
    appeal = _locked(appeal_id)
    event = _event(appeal, EV.COMMENT, by=by, text=text, internal=True)
    audit_log(action="appeal.comment", actor=by, target=appeal)
    return event


@transaction.atomic
def appeal_reply(*, appeal_id: int, text: str, by, close: bool = False) -> Appeal:
    """A message to the user. `close` ends a non-dispute appeal with this answer; a dispute
    is closed only by accepting or rejecting it."""
    text = (text or "").strip()
    if not text:
        raise FeedbackError("Введите текст ответа")
    appeal = _locked(appeal_id)
    _require_open(appeal)
    fields = []
    if close:
        if appeal.kind == K.SERVICE_DISPUTE:
            raise FeedbackError(
                "Несогласие с услугой закрывается решением: удовлетворить или отклонить"
            )
        appeal.status = ST.ANSWERED
        appeal.answer = text
        appeal.closed_at = clock.now()
        fields += ["status", "answer", "closed_at"]
    elif appeal.status == ST.NEW:
        appeal.status = ST.IN_REVIEW
        fields.append("status")
    if fields:
        appeal.save(update_fields=fields)
    event = _event(appeal, EV.REPLY, by=by, text=text)
    audit_log(action="appeal.reply", actor=by, target=appeal, close=close)
    _notify(appeal, event, "reply")
    return appeal


@transaction.atomic
def appeal_extend(*, appeal_id: int, new_deadline: dt.date, reason: str, by) -> Appeal:
    """Move the answer deadline later; a reason is required and the user is told."""
    reason = (reason or "").strip()
    if not reason:
        raise FeedbackError("Укажите причину продления срока")
    appeal = _locked(appeal_id)
    _require_open(appeal)
    if new_deadline <= appeal.deadline:
        raise FeedbackError(f"Новый срок должен быть позже текущего ({appeal.deadline:%d.%m.%Y})")
    old = appeal.deadline
    appeal.deadline = new_deadline
    appeal.save(update_fields=["deadline"])
    event = _event(
        appeal,
        EV.EXTENDED,
        by=by,
        text=f"Новый срок ответа: {new_deadline:%d.%m.%Y}. Причина: {reason}",
    )
    audit_log(
        action="appeal.extend",
        actor=by,
        target=appeal,
        old=old.isoformat(),
        new=new_deadline.isoformat(),
        reason=reason,
    )
    _notify(appeal, event, "extended", reason=reason)
    return appeal


def _close_dispute(appeal: Appeal, status: str, answer: str, by) -> Invoice:
    appeal.status = status
    appeal.answer = answer
    appeal.closed_at = clock.now()
    appeal.save(update_fields=["status", "answer", "closed_at"])
    appeal.lines.update(is_open=False)
    still_open = AppealLine.objects.filter(
        invoice_line__invoice_id=appeal.invoice_id, is_open=True
    ).exists()
    if still_open:  # another appeal on other lines keeps the invoice disputed
        return Invoice.objects.get(pk=appeal.invoice_id)
    return disputes.invoice_dispute_close(
        invoice_id=appeal.invoice_id, actor=by, reference=f"appeal {appeal.pk}"
    )


def _require_dispute(appeal: Appeal, answer: str) -> str:
    if appeal.kind != K.SERVICE_DISPUTE:
        raise FeedbackError("Решение принимается только по несогласию с услугой")
    _require_open(appeal)
    answer = (answer or "").strip()
    if not answer:
        raise FeedbackError("Введите ответ заявителю")
    return answer


@transaction.atomic
def appeal_accept(
    *,
    appeal_id: int,
    answer: str,
    by,
    reductions: Mapping[int, Decimal] | None = None,
    settlement: str = "deposit",
) -> Appeal:
    """Accept a dispute: a correction document reduces the contested lines' co-pay (all of
    what is left of it unless `reductions` says less); paid co-pay goes to the deposit (or
    is to be refunded). The invoice's dispute ends when no other appeal contests it."""
    appeal = _locked(appeal_id)
    answer = _require_dispute(appeal, answer)
    if appeal.service_line_id:
        return _decide_upcoming(appeal, answer, by, accepted=True)
    lines = [al.invoice_line for al in appeal.lines.select_related("invoice_line")]
    if reductions is None:
        reductions = {line.pk: line.copay - line_corrected_total(line) for line in lines}
    reductions = {pk: amount for pk, amount in reductions.items() if amount > 0}
    if not reductions:
        raise FeedbackError("Укажите уменьшение сооплаты хотя бы для одной услуги")
    if not set(reductions) <= {line.pk for line in lines}:
        raise FeedbackError("Уменьшать можно только оспариваемые услуги")
    try:
        correction, credit = disputes.invoice_correction_create(
            invoice_id=appeal.invoice_id,
            reductions=reductions,
            reason=f"Обращение № {appeal.pk}: {appeal.get_dispute_reason_display()}",
            settlement=settlement,
            actor=by,
        )
    except InvoiceError as exc:
        raise FeedbackError(str(exc)) from exc
    invoice = _close_dispute(appeal, ST.ACCEPTED, answer, by)
    details = (
        f"Корректировка {correction.number}: сооплата уменьшена на {format_rub(correction.amount)}."
    )
    if credit > 0 and settlement == "deposit":
        details += (
            f" {format_rub(credit)} зачислено на депозит полиса {invoice.person.policy_number}."
        )
    elif credit > 0:
        details += f" {format_rub(credit)} будет возвращено на карту, с которой была оплата."
    elif invoice.status != Invoice.Status.PAID:
        details += f" К оплате по счёту {invoice.number}: {format_rub(invoice.payable_amount())}."
    event = _event(appeal, EV.ACCEPTED, by=by, text=f"{answer}\n{details}")
    audit_log(
        action="appeal.accept",
        actor=by,
        target=appeal,
        correction=correction.number,
        credit=str(credit),
    )
    _notify(
        appeal,
        event,
        "accepted",
        correction=correction,
        credit=credit,
        invoice=invoice,
        payable=invoice.payable_amount(),
        details=details,
    )
    return appeal


@transaction.atomic
def appeal_reject(*, appeal_id: int, answer: str, by) -> Appeal:
    """Reject a dispute: the invoice's due clock resumes with at least 10 more days."""
    appeal = _locked(appeal_id)
    answer = _require_dispute(appeal, answer)
    if appeal.service_line_id:
        return _decide_upcoming(appeal, answer, by, accepted=False)
    invoice = _close_dispute(appeal, ST.REJECTED, answer, by)
    details = ""
    if invoice.status in (Invoice.Status.NEW, Invoice.Status.OVERDUE):
        details = f"Счёт {invoice.number} нужно оплатить до {invoice.due_date:%d.%m.%Y}."
    event = _event(appeal, EV.REJECTED, by=by, text=f"{answer}\n{details}".strip())
    audit_log(action="appeal.reject", actor=by, target=appeal, due=invoice.due_date.isoformat())
    _notify(appeal, event, "rejected", invoice=invoice, details=details)
    return appeal


def _decide_upcoming(appeal: Appeal, answer: str, by, *, accepted: bool) -> Appeal:
    """The decision on «Это был не я» for a line not yet invoiced (SPEC §3.8)."""
    line = upcoming.service_line_dispute_close(
        line_id=appeal.service_line_id, accepted=accepted, actor=by
    )
    appeal.status = ST.ACCEPTED if accepted else ST.REJECTED
    appeal.answer = answer
    appeal.closed_at = clock.now()
    appeal.save(update_fields=["status", "answer", "closed_at"])
    summary = upcoming.service_line_summary(line)
    details = (
        f"Услуга {summary} снята и не войдёт в счёт."
        if accepted
        else f"Услуга {summary} войдёт в следующий счёт."
    )
    event = _event(
        appeal, EV.ACCEPTED if accepted else EV.REJECTED, by=by, text=f"{answer}\n{details}"
    )
    audit_log(
        action="appeal.accept" if accepted else "appeal.reject",
        actor=by,
        target=appeal,
        service_line=line.pk,
    )
    _notify(appeal, event, "accepted" if accepted else "rejected", invoice=None, details=details)
    return appeal


def attachment_download(*, user, attachment_id: int, ip: str | None) -> AppealAttachment:
    """The attachment `user` may download (DoesNotExist otherwise). A staff download of a
    medical document is written to the audit trail (152-FZ: who read special-category data)."""
    item = get_attachment_for_user(user, attachment_id)
    if user.is_staff:
        audit_log(
            action="appeal.attachment_download",
            actor=user,
            target=item,
            ip=ip,
            appeal=item.appeal_id,
            owner=item.appeal.user_id,
        )
    return item
