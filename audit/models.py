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
