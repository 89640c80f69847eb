"""Appeals (обращения, SPEC §3.5) and the free travel-insurance bonus («Бонусный ВЗР», §3.7)."""

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from dms_portal import clock
from dms_portal.uploads import StoredAttachment
from invoices.models import Invoice, InvoiceLine, ServiceLine
from policies.models import Contract, InsuredPerson

# Experts answer within 15 calendar days of the appeal (SPEC §3.5).
SLA_DAYS = 15


class Appeal(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Вопрос"
        SERVICE_DISPUTE = "service_dispute", "Несогласие с услугой"
        CONTACT_CHANGE = "contact_change", "Изменение контактных данных"
        OTHER = "other", "Другое"

    class Reason(models.TextChoices):
        NOT_RENDERED = "not_rendered", "Услуга не оказывалась"
        OTHER_QUANTITY = "other_quantity", "Услуга оказана в другом количестве"
        OTHER_QUALITY = "other_quality", "Услуга оказана ненадлежащего качества"
        ANOTHER_SERVICE = "another_service", "Оказана другая услуга"

    class Status(models.TextChoices):
        NEW = "new", "Новое"
        IN_REVIEW = "in_review", "На рассмотрении"
        ANSWERED = "answered", "Ответ дан"
        ACCEPTED = "accepted", "Удовлетворено"
        REJECTED = "rejected", "Отклонено"

    OPEN_STATUSES = (Status.NEW, Status.IN_REVIEW)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="Заявитель",
    )
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="Застрахованный",
    )
    kind = models.CharField("Вид обращения", max_length=32, choices=Kind.choices)
    text = models.TextField("Текст обращения")
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField("Создано", db_index=True)
    # Moscow calendar date by which the expert must answer; an extension moves it.
    deadline = models.DateField("Срок ответа", db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
        limit_choices_to={"is_staff": True},
        verbose_name="Эксперт",
    )
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="Счёт",
    )
    # «Это был не я» on a line not yet invoiced (SPEC §3.8): a dispute names that ServiceLine
    # instead of an invoice; accepted → the line is dismissed, rejected → the next run bills it.
    service_line = models.ForeignKey(
        ServiceLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="Услуга (ещё не в счёте)",
    )
    dispute_reason = models.CharField(
        "Причина несогласия", max_length=32, choices=Reason.choices, blank=True
    )
    answer = models.TextField("Ответ заявителю", blank=True)
    closed_at = models.DateTimeField("Закрыто", null=True, blank=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="service_dispute")
                | Q(invoice__isnull=False)
                | Q(service_line__isnull=False),
                name="appeal_dispute_names_invoice_or_line",
            ),
            # One open dispute per upcoming line.
            models.UniqueConstraint(
                fields=["service_line"],
                condition=Q(status__in=["new", "in_review"]),
                name="appeal_one_open_dispute_per_service_line",
            ),
        ]

    def __str__(self) -> str:
        return f"Обращение № {self.pk}"

    @property
    def number(self) -> str:
        return f"{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and clock.moscow_today() > self.deadline

    @staticmethod
    def deadline_for(created_at: dt.datetime) -> dt.date:
        return clock.to_moscow_date(created_at) + dt.timedelta(days=SLA_DAYS)


class AppealLine(models.Model):
    """An invoice line an appeal contests. `is_open` while the appeal is undecided: a line
    may be contested by one open appeal at a time (the partial unique constraint)."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="lines", verbose_name="Обращение"
    )
    invoice_line = models.ForeignKey(
        InvoiceLine,
        on_delete=models.PROTECT,
        related_name="appeal_lines",
        verbose_name="Строка счёта",
    )
    is_open = models.BooleanField(default=True, verbose_name="Спор открыт")

    class Meta:
        verbose_name = "оспариваемая услуга"
        verbose_name_plural = "оспариваемые услуги"
        ordering = ["invoice_line__service_date", "invoice_line_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice_line"],
                condition=Q(is_open=True),
                name="appeal_line_one_open_dispute",
            )
        ]


def _attachment_path(instance: "AppealAttachment", filename: str) -> str:
    # A random name: the user's file name never reaches the file system.
    suffix = PurePosixPath(filename).suffix.lower()[:5]
    return f"appeals/{clock.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class AppealAttachment(StoredAttachment):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name="Обращение"
    )
    file = models.FileField(upload_to=_attachment_path, verbose_name="Файл")


class AppealEvent(models.Model):
    """One step of an appeal's history. Internal comments are for experts only."""

    class Kind(models.TextChoices):
        CREATED = "created", "Обращение зарегистрировано"
        ASSIGNED = "assigned", "Назначен эксперт"
        COMMENT = "comment", "Внутренний комментарий"
        REPLY = "reply", "Ответ эксперта"
        EXTENDED = "extended", "Срок рассмотрения продлён"
        ACCEPTED = "accepted", "Обращение удовлетворено"
        REJECTED = "rejected", "Обращение отклонено"

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="Обращение"
    )
    kind = models.CharField("Событие", max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField("Когда")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Кто",
    )
    text = models.TextField("Текст", blank=True)
    internal = models.BooleanField("Только для сотрудников", default=False)

    class Meta:
        verbose_name = "событие обращения"
        verbose_name_plural = "история обращения"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class BonusTravelPolicy(models.Model):
    """Бонусный ВЗР: a free travel-insurance policy within the contract's yearly day limit."""

    number = models.CharField("Номер полиса", max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bonus_travel_policies",
        verbose_name="Оформил",
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="+", verbose_name="Договор"
    )
    countries = models.JSONField("Страны поездки", default=list)
    start_date = models.DateField("Дата начала")
    end_date = models.DateField("Дата окончания")
    issued_at = models.DateTimeField("Оформлен")
    pdf = models.FileField(upload_to="travel/%Y/%m/", blank=True, verbose_name="Полис (PDF)")
    # Cancelled before the trip began: its days return to the yearly limit.
    cancelled_at = models.DateTimeField("Отменён", null=True, blank=True)

    class Meta:
        verbose_name = "бонусный ВЗР"
        verbose_name_plural = "бонусные ВЗР"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="travel_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def country_names(self) -> list[str]:
        from .travel.countries import country_name

        return [country_name(code) for code in self.countries]

    @property
    def country_names_en(self) -> list[str]:
        from .travel.countries import country_name_en

        return [country_name_en(code) for code in self.countries]


class BonusTraveller(models.Model):
    policy = models.ForeignKey(
        BonusTravelPolicy,
        on_delete=models.CASCADE,
        related_name="travellers",
        verbose_name="Полис ВЗР",
    )
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="bonus_trips",
        verbose_name="Застрахованный",
    )
    last_name_latin = models.CharField("Фамилия (латиницей)", max_length=100)
    first_name_latin = models.CharField("Имя (латиницей)", max_length=100)
    birth_date = models.DateField("Дата рождения")

    class Meta:
        verbose_name = "путешественник"
        verbose_name_plural = "путешественники"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "person"], name="traveller_once_per_policy")
        ]

    @property
    def latin_name(self) -> str:
        return f"{self.last_name_latin} {self.first_name_latin}"
