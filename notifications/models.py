from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "E-mail"


class Message(models.Model):
    """One message to one recipient over one channel.

    `dedupe_key` is unique: the same (event, recipient, channel) key is sent once even when the
    caller or a task runs twice. The body is kept only when the backend allows it (the
    development outbox); production rows carry no one-time codes.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка"
        SKIPPED = "skipped", "Пропущено"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    event = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254, db_index=True)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    sensitive = models.BooleanField(default=False, help_text="Содержит одноразовый код")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.event}"
