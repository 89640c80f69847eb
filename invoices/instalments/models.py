"""The instalment plan of an invoice and its parts (SPEC §3.8).

Invoice is named by its label, not imported: `invoices.models` imports this module so that
Django registers the models, and this module must not import back.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..money import MONEY


class InstalmentPlan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Действует"
        COMPLETED = "completed", "Выполнен"
        CANCELLED = "cancelled", "Отменён"

    invoice = models.ForeignKey(
        "invoices.Invoice",
        on_delete=models.PROTECT,
        related_name="instalment_plans",
        verbose_name="Счёт",
    )
    parts_count = models.PositiveSmallIntegerField("Число частей")
    amount = models.DecimalField("Сумма к оплате частями", **MONEY)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_at = models.DateTimeField("Создан")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кто разбил счёт",
    )
    cancelled_at = models.DateTimeField("Отменён", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кто отменил",
    )
    cancel_reason = models.CharField("Причина отмены", max_length=500, blank=True)

    class Meta:
        verbose_name = "график оплаты частями"
        verbose_name_plural = "графики оплаты частями"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A double submit, two tabs or a replayed form cannot make a second live schedule.
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status="active"),
                name="one_active_instalment_plan_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(parts_count__gte=2, parts_count__lte=3),
                name="instalment_plan_two_or_three_parts",
            ),
        ]

    def __str__(self) -> str:
        return f"График счёта {self.invoice} на {self.parts_count} части"


class InstalmentPart(models.Model):
    class Status(models.TextChoices):
        UNPAID = "unpaid", "Не оплачена"
        PAID = "paid", "Оплачена"
        # The plan was cancelled, or a correction left nothing for this part to ask.
        DROPPED = "dropped", "Снята"

    plan = models.ForeignKey(
        InstalmentPlan, on_delete=models.PROTECT, related_name="parts", verbose_name="График"
    )
    # The plan's invoice again: `with_money` sums paid parts per invoice without a join.
    invoice = models.ForeignKey(
        "invoices.Invoice",
        on_delete=models.PROTECT,
        related_name="instalment_parts",
        verbose_name="Счёт",
    )
    number = models.PositiveSmallIntegerField("Номер части")
    due_date = models.DateField("Оплатить до")
    amount = models.DecimalField("Сумма", **MONEY)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.UNPAID, db_index=True
    )
    paid_at = models.DateTimeField("Оплачена", null=True, blank=True)
    reference = models.CharField("Основание оплаты", max_length=100, blank=True)

    class Meta:
        verbose_name = "часть счёта"
        verbose_name_plural = "части счетов"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="instalment_part_once"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(status="dropped"),
                name="instalment_part_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Часть {self.number} счёта {self.invoice_id}"
