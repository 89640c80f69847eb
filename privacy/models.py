"""Evidence for 152-FZ: what the retention job erased (the read-access log is in `audit`)."""

from django.db import models

from audit.models import AppendOnlyModel


class RetentionAction(AppendOnlyModel):
    """What the retention job did for one person at one stage (privacy.retention)."""

    class Stage(models.TextChoices):
        CONSENT = "consent", "Данные по согласию (30 дней после отзыва)"
        INSURANCE = "insurance", "Страховые записи (срок договора + 5 лет)"
        ACCOUNTING = "accounting", "Учётные документы (5 лет после года документа)"

    at = models.DateTimeField("Когда", auto_now_add=True, db_index=True)
    person_id = models.BigIntegerField("Застрахованный (id)", db_index=True)
    stage = models.CharField("Этап", max_length=16, choices=Stage.choices)
    withdrawn_at = models.DateTimeField("Согласие отозвано")
    due_at = models.DateTimeField("Срок истёк")
    counts = models.JSONField("Что сделано", default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "действие по сроку хранения"
        verbose_name_plural = "журнал удаления по срокам хранения"
        constraints = [
            models.UniqueConstraint(fields=["person_id", "stage"], name="retention_stage_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_stage_display()}"
