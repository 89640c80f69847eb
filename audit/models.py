"""The trails: what was done (AuditEntry) and who read health data and exports (ReadAccess)."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Append-only trail of money and personal-data actions (SPEC §5)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="Время")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кто",
    )
    action = models.CharField(max_length=64, db_index=True, verbose_name="Действие")
    target_type = models.CharField(max_length=64, blank=True, verbose_name="Тип объекта")
    target_id = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name="ID объекта"
    )
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP-адрес")
    data = models.JSONField(default=dict, blank=True, verbose_name="Данные")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "запись аудита"
        verbose_name_plural = "журнал аудита"

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.target_type}#{self.target_id}"


class AppendOnlyError(Exception):
    """A log row may be written once and never changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("журнал только дополняется")

    def delete(self):
        raise AppendOnlyError("журнал только дополняется")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("журнал только дополняется")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("журнал только дополняется")


class ReadAccess(AppendOnlyModel):
    """One opening of health data or an export (ASVS 5.0 V16.2, 152-FZ art. 19): written in
    the request that served it. On PostgreSQL a trigger also refuses UPDATE and DELETE."""

    class Kind(models.TextChoices):
        APPEAL_ATTACHMENT = "appeal_attachment", "Вложение обращения"
        SUPPORT_ATTACHMENT = "support_attachment", "Вложение в чате поддержки"
        INVOICE_DETAIL = "invoice_detail", "Детализация счёта"
        INVOICE_XLSX = "invoice_xlsx", "Счёт в XLSX"
        INVOICES_XLSX = "invoices_xlsx", "Все счета в XLSX"
        SPENDING_XLSX = "spending_xlsx", "Мои расходы в XLSX"

    at = models.DateTimeField("Когда", auto_now_add=True, db_index=True)
    # No cascade from users: SET_NULL would UPDATE an append-only row (the PostgreSQL trigger
    # refuses it); the phone at the time is kept in actor_label anyway.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="Кто",
    )
    # The phone as it was at the time: the account may be anonymised later.
    actor_label = models.CharField("Кто (телефон)", max_length=32)
    actor_is_staff = models.BooleanField("Сотрудник", default=False)
    kind = models.CharField("Что", max_length=32, choices=Kind.choices, db_index=True)
    object_type = models.CharField("Тип объекта", max_length=64)
    object_id = models.CharField("Объект", max_length=64, db_index=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "чтение медицинских данных и выгрузок"
        verbose_name_plural = "журнал чтения медицинских данных и выгрузок"

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor_label} {self.get_kind_display()}"
