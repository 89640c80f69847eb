"""The penalty ledger of an invoice («Неустойка», SPEC §3.8): one row per accrued day and one
per waiver. What the invoice owes in penalty is the sum of its rows (`with_money`), so the
ledger is never edited: a waiver is a row of its own, negative, with its reason and who.

Kept apart from models.py (which was near the 400-line limit) and imported there, so Django
finds it as a model of the invoices app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dms_portal.money import format_rub

from .money import MONEY


class PenaltyEntry(models.Model):
    class Kind(models.TextChoices):
        ACCRUAL = "accrual", "Начисление"
        WAIVER = "waiver", "Списание"

    invoice = models.ForeignKey(
        "invoices.Invoice",
        on_delete=models.PROTECT,
        related_name="penalty_entries",
        verbose_name="Счёт",
    )
    # The Moscow day of delay an accrual is for; a waiver's day is when it was made.
    date = models.DateField("День")
    kind = models.CharField("Вид", max_length=16, choices=Kind.choices)
    # What the day's accrual was computed on: the overdue co-pay (amount due − corrections),
    # and the contract's rate that day. Empty on a waiver.
    base = models.DecimalField("Просроченная сооплата", **MONEY, null=True, blank=True)
    rate_percent = models.DecimalField(
        "Ставка, % в день", max_digits=6, decimal_places=3, null=True, blank=True
    )
    # Signed: accruals positive, waivers negative; the invoice's penalty is the plain sum.
    amount = models.DecimalField("Сумма", **MONEY)
    reason = models.CharField("Основание", max_length=500, blank=True)
    created_at = models.DateTimeField("Создано")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кто",
    )

    class Meta:
        verbose_name = "операция по неустойке"
        verbose_name_plural = "неустойка: операции"
        ordering = ["invoice", "date", "id"]
        constraints = [
            # A daily job run twice (or two workers at once) accrues a day once.
            models.UniqueConstraint(
                fields=["invoice", "date"],
                condition=Q(kind="accrual"),
                name="penalty_one_accrual_per_day",
            ),
            models.CheckConstraint(
                condition=(Q(kind="accrual", amount__gt=0) | Q(kind="waiver", amount__lt=0)),
                name="penalty_amount_sign_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="accrual") | ~Q(reason=""), name="penalty_waiver_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}: {format_rub(self.amount)}"
