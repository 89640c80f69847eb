from django.conf import settings
from django.db import models

from policies.models import InsuredPerson


class CalendarOverride(models.Model):
    """A date whose working status differs from the `holidays` package (a new decree, a fix).
    It always wins over the package, so a new decree needs no release."""

    date = models.DateField("Дата", unique=True)
    is_working = models.BooleanField("Рабочий день")
    note = models.CharField("Основание", max_length=255, blank=True)

    class Meta:
        verbose_name = "исключение производственного календаря"
        verbose_name_plural = "производственный календарь: исключения"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {'рабочий' if self.is_working else 'выходной'}"


class FranchiseActivation(models.Model):
    """Активация франшизы: one per insured person and policy period (SPEC §3.2)."""

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="activations",
        verbose_name="Застрахованный",
    )
    period_start = models.DateField("Период полиса с")
    period_end = models.DateField("Период полиса по")
    requested_at = models.DateTimeField("Запрошена")
    effective_date = models.DateField("Действует с", db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кем",
    )
    consent_version = models.CharField("Версия текста согласия", max_length=32)
    consent_text_hash = models.CharField("Хеш текста согласия", max_length=64)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("Браузер", max_length=512, blank=True)

    class Meta:
        verbose_name = "активация франшизы"
        verbose_name_plural = "активации франшизы"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_start"], name="activation_once_per_policy_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} с {self.effective_date:%d.%m.%Y}"
