"""Medical care from the account (SPEC §3.9): doctor requests, SOS and the support chat."""

from django.conf import settings
from django.db import models

from clinics.models import Clinic
from dms_portal.uploads import StoredAttachment
from policies.models import InsuredPerson


class DoctorRequest(models.Model):
    """«Запись к врачу» or an SOS call for help; the medical desk works both in one queue."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "Запись к врачу"
        SOS = "sos", "SOS"

    class Status(models.TextChoices):
        NEW = "new", "Новая"
        CONFIRMED = "confirmed", "Подтверждена"
        PROPOSED = "proposed", "Предложено другое время"
        CANCELLED = "cancelled", "Отменена"

    kind = models.CharField("Вид", max_length=16, choices=Kind.choices, default=Kind.APPOINTMENT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="doctor_requests",
        verbose_name="Учётная запись",
    )
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="doctor_requests",
        verbose_name="Застрахованный",
    )
    clinic = models.ForeignKey(
        Clinic,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="doctor_requests",
        verbose_name="Клиника",
    )
    specialty = models.CharField("Специальность", max_length=200, blank=True)
    desired_dates = models.CharField("Желаемые даты", max_length=200, blank=True)
    comment = models.TextField("Комментарий", blank=True, max_length=2000)
    # SOS: «Что случилось», «Где вы», «Телефон для связи».
    what_happened = models.TextField("Что случилось", blank=True, max_length=2000)
    location = models.CharField("Где вы", max_length=500, blank=True)
    callback_phone = models.CharField("Телефон для связи", max_length=32, blank=True)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    slot = models.DateTimeField("Время приёма", null=True, blank=True)
    cancel_reason = models.TextField("Причина отмены", blank=True)
    created_at = models.DateTimeField("Создана", db_index=True)
    updated_at = models.DateTimeField("Изменена")

    class Meta:
        verbose_name = "заявка к врачу"
        verbose_name_plural = "заявки к врачу и SOS (очередь медпульта)"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        label = "SOS" if self.kind == self.Kind.SOS else "Заявка"
        return f"{label} № {self.pk}"


class RequestEvent(models.Model):
    """One step of a request's history; its id keys the notification of that step."""

    request = models.ForeignKey(
        DoctorRequest, on_delete=models.CASCADE, related_name="events", verbose_name="Заявка"
    )
    status = models.CharField("Статус", max_length=16, choices=DoctorRequest.Status.choices)
    text = models.TextField("Текст", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="Кто",
    )
    created_at = models.DateTimeField("Когда")

    class Meta:
        verbose_name = "событие заявки"
        verbose_name_plural = "события заявок"
        ordering = ["created_at", "id"]


class Conversation(models.Model):
    """«Поддержка»: one conversation per user with the insurer's staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_conversation",
        verbose_name="Учётная запись",
    )
    last_message_at = models.DateTimeField("Последнее сообщение", null=True, db_index=True)
    # When the user last had the chat open (page or poll): answers to an absent user are e-mailed.
    user_seen_at = models.DateTimeField("Пользователь заходил", null=True, blank=True)

    class Meta:
        verbose_name = "обращение в поддержку"
        verbose_name_plural = "поддержка (переписка)"
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return f"Переписка № {self.pk}"


class SupportMessage(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", verbose_name="Переписка"
    )
    from_staff = models.BooleanField("От сотрудника", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="Автор"
    )
    text = models.TextField("Сообщение", max_length=4000, blank=True)
    created_at = models.DateTimeField("Отправлено")
    # Read by the other side (the user for staff messages, staff for the user's).
    read_at = models.DateTimeField("Прочитано", null=True, blank=True)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "from_staff", "read_at"])]


def _support_path(instance: "SupportAttachment", filename: str) -> str:
    return f"support/{instance.message.conversation_id}/{instance.message_id}/{filename}"


class SupportAttachment(StoredAttachment):
    message = models.ForeignKey(
        SupportMessage,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="Сообщение",
    )
    file = models.FileField(upload_to=_support_path, verbose_name="Файл")
