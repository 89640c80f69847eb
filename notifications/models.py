from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "E-mail"


class Message(models.Model):
    """One message to one recipient over one channel.

    `dedupe_key` is unique: the same (event, recipient, channel) key is sent once even when the
    caller or a task runs twice. The body is kept only when the backend allows it (the
    development outbox) or the message carries no one-time code.

    Life cycle: QUEUED → SENDING (claimed by exactly one task with a conditional update) →
    SENT / FAILED; a temporary error puts it back to QUEUED for the retry. A row left in SENDING
    by a crashed worker is resolved by `messages_resolve_stale`: e-mail is re-queued
    (at-least-once), SMS becomes UNKNOWN for an operator (at-most-once: a second SMS is worse
    than a missing one, and the gateway may already have it).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка"
        UNKNOWN = "unknown", "Исход неизвестен"
        SKIPPED = "skipped", "Пропущено"

    created_at = models.DateTimeField("Создано", auto_now_add=True, db_index=True)
    event = models.CharField("Событие", max_length=64, db_index=True)
    channel = models.CharField("Канал", max_length=8, choices=Channel.choices)
    recipient = models.CharField("Получатель", max_length=254, db_index=True)
    subject = models.CharField("Тема", max_length=255, blank=True)
    body = models.TextField("Текст", blank=True)
    sensitive = models.BooleanField(
        default=False, help_text="Содержит одноразовый код", verbose_name="Одноразовый код"
    )
    # A code's text, encrypted (notifications.sealing), only until it is delivered or expires:
    # the worker reads it from here, so the Celery message carries the id alone.
    sealed_body = models.TextField(blank=True, editable=False, verbose_name="Зашифрованный текст")
    status = models.CharField("Статус", max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("Попыток", default=0)
    error = models.TextField("Ошибка", blank=True)
    # Quiet hours: an SMS is not sent before this moment (None = at once).
    scheduled_for = models.DateTimeField("Не раньше", null=True, blank=True)
    # When the current SENDING claim was taken; a stale claim means a worker died mid-send.
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name="Взято в отправку")
    sent_at = models.DateTimeField("Отправлено", null=True, blank=True)
    dedupe_key = models.CharField(
        max_length=255, unique=True, null=True, blank=True, verbose_name="Ключ однократной отправки"
    )
    user_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, verbose_name="ID пользователя"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        indexes = [models.Index(fields=["status", "scheduled_for"], name="message_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.event}"
