from django.conf import settings
from django.db import models
from django.db.models import Q

from invoices.models import MONEY
from policies.models import Employer, InsuredPerson, Program


class ProgrammeDowngrade(models.Model):
    """An insured person moved to the emergency-only programme for unpaid overdue invoices.

    At most one open (not restored) downgrade per person: the partial unique constraint makes a
    second run of `apply_overdue` unable to downgrade twice.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Действует (экстренная помощь)"
        AWAITING_OPERATOR = "awaiting", "Оплачено, ждёт оператора"
        RESTORED = "restored", "Программа восстановлена"

    class RestoreMode(models.TextChoices):
        AUTO = "auto", "Автоматически"
        OPERATOR = "operator", "Оператором"

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="downgrades",
        verbose_name="Застрахованный",
    )
    from_program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name="Прежняя программа"
    )
    to_program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name="Программа на время долга"
    )
    at = models.DateTimeField("Переведён", db_index=True)
    status = models.CharField(
        "Состояние", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    settled_at = models.DateTimeField("Долг погашен", null=True, blank=True)
    restored_at = models.DateTimeField("Восстановлено", null=True, blank=True)
    restore_mode = models.CharField(
        "Как восстановлено", max_length=16, choices=RestoreMode.choices, blank=True
    )
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Оператор",
    )
    invoice_numbers = models.CharField("Просроченные счета", max_length=500, blank=True)

    class Meta:
        verbose_name = "перевод на экстренную помощь"
        verbose_name_plural = "переводы на экстренную помощь"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(restored_at__isnull=True),
                name="downgrade_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class CallLog(models.Model):
    """An operator's call to a payer from the call list, and what came of it."""

    class Outcome(models.TextChoices):
        PROMISED = "promised", "Обещал оплатить"
        NO_ANSWER = "no_answer", "Не дозвонились"
        WRONG_NUMBER = "wrong_number", "Неверный номер"
        REFUSED = "refused", "Отказ от оплаты"
        DISPUTE = "dispute", "Не согласен со счётом"
        PAID = "paid", "Сообщил, что оплатил"
        OTHER = "other", "Другое"

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="debt_calls",
        verbose_name="Плательщик",
    )
    at = models.DateTimeField("Дата звонка", db_index=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Оператор",
    )
    outcome = models.CharField("Результат", max_length=16, choices=Outcome.choices)
    promised_date = models.DateField("Обещанная дата оплаты", null=True, blank=True)
    note = models.TextField("Комментарий", blank=True)

    class Meta:
        verbose_name = "звонок должнику"
        verbose_name_plural = "звонки должникам"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.at:%d.%m.%Y} {self.get_outcome_display()}"


class Debtor(InsuredPerson):
    """The call list in admin: payers with overdue invoices (a read-only view of the roster)."""

    class Meta:
        proxy = True
        verbose_name = "должник (список обзвона)"
        verbose_name_plural = "список обзвона должников"


def _report_path(instance, filename):
    return f"employer_reports/{instance.period:%Y/%m}/{filename}"


class EmployerReport(models.Model):
    """The monthly XLSX of an employer's employees' debts older than 2 months."""

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="debt_reports", verbose_name="Страхователь"
    )
    period = models.DateField("Месяц отчёта")
    created_at = models.DateTimeField("Сформирован")
    file = models.FileField("Файл", upload_to=_report_path)
    rows = models.PositiveIntegerField("Счетов в отчёте", default=0)
    people = models.PositiveIntegerField("Застрахованных", default=0)
    total = models.DecimalField("Сумма долга", **MONEY)
    emailed_to = models.CharField("Отправлен на", max_length=500, blank=True)
    emailed_at = models.DateTimeField("Отправлен", null=True, blank=True)
    error = models.TextField("Ошибка отправки", blank=True)

    class Meta:
        verbose_name = "отчёт страхователю о долгах"
        verbose_name_plural = "отчёты страхователям о долгах"
        ordering = ["-period", "employer__name"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "period"], name="employer_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.period:%m.%Y}"

    @property
    def download_name(self) -> str:
        """The file name people see (storage may add a suffix to keep names unique)."""
        return f"debts-{self.employer.inn}-{self.period:%Y-%m}.xlsx"
