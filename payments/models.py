"""Payments of invoices: online (sandbox, YooKassa) and bank transfers entered by operators.

A payment is a row of its own with its own states; an invoice learns it is paid only through
`invoices.services.status.invoice_mark_paid`, which the payment services call.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from invoices.models import InstalmentPart, Invoice

MONEY = {"max_digits": 12, "decimal_places": 2}


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает оплаты"
        SUCCEEDED = "succeeded", "Оплачен"
        CANCELED = "canceled", "Отменён"
        EXPIRED = "expired", "Истёк срок"

    class Provider(models.TextChoices):
        SANDBOX = "sandbox", "Тестовая касса"
        YOOKASSA = "yookassa", "ЮKassa"
        BANK = "bank", "Банковский перевод"

    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name="Плательщик",
    )
    provider = models.CharField("Способ", max_length=16, choices=Provider.choices)
    # Null until the provider has answered; unique so one provider payment settles one row.
    provider_payment_id = models.CharField(
        "ID платежа у провайдера", max_length=64, null=True, blank=True, unique=True
    )
    # One key per local payment attempt, committed before the first provider call and sent on
    # every retry: a retried timeout then finds the first charge instead of making a second one.
    idempotence_key = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name="Ключ идемпотентности"
    )
    amount = models.DecimalField("Сумма", **MONEY)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    confirmation_url = models.URLField(
        max_length=2000, blank=True, verbose_name="Адрес подтверждения"
    )
    invoices = models.ManyToManyField(
        Invoice, through="PaymentInvoice", related_name="+", verbose_name="Счета"
    )
    created_at = models.DateTimeField("Создан", db_index=True)
    paid_at = models.DateTimeField("Оплачен", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="Завершён")
    # Last time the reconciler claimed this row (a conditional update, so one worker acts).
    reconciled_at = models.DateTimeField(null=True, blank=True, verbose_name="Сверен")
    receipt = models.JSONField("Чек (54-ФЗ)", default=dict, blank=True)
    receipt_url = models.URLField("Ссылка на чек", max_length=2000, blank=True)
    # Set when the provider's answer disagrees with ours (amount, a second charge of a paid
    # invoice): the payment is not settled and an operator must look at it.
    problem = models.CharField("Требует разбора", max_length=500, blank=True)

    class Meta:
        verbose_name = "платёж"
        verbose_name_plural = "платежи"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Платёж №{self.pk} на {self.amount} ₽ ({self.get_status_display()})"

    @property
    def number(self) -> str:
        return f"{self.pk:06d}"


class PaymentInvoice(models.Model):
    """One invoice inside a payment, with the amount charged for it (one receipt item)."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="links", verbose_name="Платёж"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payment_links", verbose_name="Счёт"
    )
    amount = models.DecimalField("Сумма", **MONEY)
    # The instalment part this charge pays (SPEC §3.8); empty when it pays the whole invoice.
    instalment_part = models.ForeignKey(
        InstalmentPart,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_links",
        verbose_name="Часть счёта",
    )
    # True while the payment is in flight or succeeded. The partial unique constraints are the
    # database's own guarantee behind the row locks: one live payment per invoice (per part of
    # a split invoice, whose paid parts stay live beside the next), so two tabs can never both
    # charge it.
    active = models.BooleanField(default=True, verbose_name="Действует")

    class Meta:
        verbose_name = "счёт в платеже"
        verbose_name_plural = "счета в платеже"
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="payment_invoice_once"),
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(active=True, instalment_part__isnull=True),
                name="one_live_payment_per_invoice",
            ),
            models.UniqueConstraint(
                fields=["instalment_part"],
                condition=Q(active=True, instalment_part__isnull=False),
                name="one_live_payment_per_instalment_part",
            ),
        ]


class PaymentEvent(models.Model):
    """Everything a provider told us, stored raw before anything acts on it (replays, audit)."""

    class Source(models.TextChoices):
        NOTIFICATION = "notification", "Уведомление"
        FETCH = "fetch", "Запрос статуса"

    class State(models.TextChoices):
        NEW = "new", "Получено"
        PROCESSED = "processed", "Обработано"
        IGNORED = "ignored", "Пропущено"
        FAILED = "failed", "Ошибка"

    provider = models.CharField(max_length=16, verbose_name="Платёжный сервис")
    source = models.CharField(max_length=16, choices=Source.choices, verbose_name="Источник")
    # For notifications: provider payment id + event name, so a repeated delivery is the same row.
    event_key = models.CharField(max_length=200, verbose_name="Ключ события")
    event = models.CharField(max_length=64, blank=True, verbose_name="Событие")
    provider_payment_id = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name="ID платежа у сервиса"
    )
    payment = models.ForeignKey(
        Payment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name="Платёж",
    )
    raw = models.TextField("Тело как получено")
    remote_ip = models.GenericIPAddressField(
        null=True, blank=True, verbose_name="IP-адрес отправителя"
    )
    received_at = models.DateTimeField(db_index=True, verbose_name="Получено")
    deliveries = models.PositiveIntegerField(default=1, verbose_name="Доставок")
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.NEW, verbose_name="Состояние"
    )
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name="Обработано")
    error = models.TextField(blank=True, verbose_name="Ошибка")

    class Meta:
        verbose_name = "событие платежа"
        verbose_name_plural = "события платежей"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "source", "event_key"], name="payment_event_once"
            ),
        ]


class BankTransfer(models.Model):
    """A bank transfer by the invoice PDF's requisites, entered by an operator in admin."""

    amount = models.DecimalField("Сумма", **MONEY)
    received_on = models.DateField("Дата поступления")
    reference = models.CharField("Номер платёжного поручения / назначение", max_length=255)
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        related_name="bank_transfer",
        editable=False,
        verbose_name="Платёж",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name="Кто внёс",
    )
    created_at = models.DateTimeField(editable=False, verbose_name="Внесено")

    class Meta:
        verbose_name = "банковский перевод"
        verbose_name_plural = "банковские переводы"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "received_on"], name="bank_transfer_once"),
        ]

    def __str__(self) -> str:
        return f"Перевод {self.reference} от {self.received_on:%d.%m.%Y} на {self.amount} ₽"


class SandboxCheckout(models.Model):
    """The sandbox provider's own state (what a real provider keeps on its side)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает"
        SUCCEEDED = "succeeded", "Оплачен"
        CANCELED = "canceled", "Отменён"

    token = models.CharField(max_length=64, unique=True, verbose_name="Токен")
    idempotence_key = models.UUIDField(unique=True, verbose_name="Ключ идемпотентности")
    amount = models.DecimalField(**MONEY, verbose_name="Сумма")
    description = models.CharField(max_length=500, verbose_name="Описание")
    return_url = models.CharField(max_length=2000, verbose_name="Адрес возврата")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name="Статус"
    )
    created_at = models.DateTimeField(verbose_name="Создано")
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name="Завершено")
    cancel_reason = models.CharField(max_length=64, blank=True, verbose_name="Причина отказа")

    class Meta:
        verbose_name = "тестовая касса: платёж"
        verbose_name_plural = "тестовая касса: платежи"
