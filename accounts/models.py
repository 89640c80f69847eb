import hashlib

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, phone, password=None, **extra):
        if not phone:
            raise ValueError("phone is required")
        email = self.normalize_email(extra.pop("email", ""))
        user = self.model(phone=phone, email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_active=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A portal account. The phone (E.164, +7…) is the login; the insured person it belongs to
    is `policies.InsuredPerson.user` (policies refers to users, not the other way round)."""

    phone = PhoneNumberField("Моб. телефон", unique=True)
    email = models.EmailField("E-mail", blank=True)
    first_name = models.CharField("Имя", max_length=150, blank=True)
    last_name = models.CharField("Фамилия", max_length=150, blank=True)
    is_active = models.BooleanField("Активен", default=True)
    is_staff = models.BooleanField("Сотрудник страховщика", default=False)
    date_joined = models.DateTimeField("Зарегистрирован", default=timezone.now)
    phone_confirmed_at = models.DateTimeField("Телефон подтверждён", null=True, blank=True)
    email_confirmed_at = models.DateTimeField("E-mail подтверждён", null=True, blank=True)
    # «Ваш личный кабинет ДМС за <месяц>» (SPEC §3.8): on unless the user turns it off in
    # «Личные данные»; the guide asks the insured to look at the account monthly.
    monthly_digest = models.BooleanField("Ежемесячная сводка на e-mail", default=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def __str__(self) -> str:
        return str(self.phone)

    def get_full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip() or str(self.phone)

    def get_short_name(self) -> str:
        return self.first_name or str(self.phone)


class ConsentPurpose(models.TextChoices):
    # 152-FZ (as amended from 01.09.2025): a separate consent document for each purpose.
    PORTAL = "portal", "Ведение личного кабинета застрахованного"


CONSENT_SECTION_NAMES = [
    ("operator", "Оператор"),
    ("purpose_text", "Цель обработки"),
    ("data_categories", "Категории персональных данных"),
    ("actions", "Действия с персональными данными"),
    ("processors", "Лица, обрабатывающие данные по поручению оператора"),
    ("term", "Срок действия согласия"),
    ("withdrawal", "Порядок отзыва согласия"),
]


def consent_text_hash(
    *, purpose: str, version: str, title: str, sections: list[tuple[str, str]]
) -> str:
    """SHA-256 of the text as shown. Stable on purpose: stored hashes must keep matching
    (the data migration that publishes version 1 uses this function too)."""
    canonical = "\n\n".join(
        [purpose, version, title] + [f"{name}\n{text.strip()}" for name, text in sections]
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ConsentDocument(models.Model):
    """One published version of a consent text. Never edited once people have agreed to it:
    a change is a new version, and the hash proves which exact words a person accepted."""

    purpose = models.CharField("Цель обработки", max_length=32, choices=ConsentPurpose.choices)
    version = models.CharField("Версия", max_length=16)
    title = models.CharField("Заголовок", max_length=255)
    operator = models.TextField("Оператор")
    purpose_text = models.TextField("Цель")
    data_categories = models.TextField("Категории персональных данных")
    actions = models.TextField("Действия с данными")
    processors = models.TextField("Лица, обрабатывающие данные по поручению оператора")
    term = models.TextField("Срок действия согласия")
    withdrawal = models.TextField("Порядок отзыва")
    published_at = models.DateTimeField("Опубликовано", default=timezone.now)
    content_hash = models.CharField("SHA-256 текста", max_length=64, editable=False)

    class Meta:
        verbose_name = "текст согласия на обработку ПДн"
        verbose_name_plural = "тексты согласий на обработку ПДн"
        ordering = ["purpose", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_doc_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}, версия {self.version}"

    def sections(self) -> list[tuple[str, str]]:
        return [(name, getattr(self, field)) for field, name in CONSENT_SECTION_NAMES]

    def compute_hash(self) -> str:
        return consent_text_hash(
            purpose=self.purpose, version=self.version, title=self.title, sections=self.sections()
        )

    def save(self, *args, **kwargs):
        # The hash is a derived value of the text, like a normalized name: kept in step here.
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)


class ConsentRecord(models.Model):
    """Append-only: a person's consent to one purpose under one text version.

    Rows are never deleted and their "given" part never changes; withdrawal sets
    `withdrawn_at` once. At most one consent per person and purpose is in force.
    """

    person = models.ForeignKey(
        "policies.InsuredPerson",
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name="Застрахованный",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
        verbose_name="Учётная запись",
    )
    purpose = models.CharField("Цель обработки", max_length=32, choices=ConsentPurpose.choices)
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="records", verbose_name="Текст"
    )
    content_hash = models.CharField("SHA-256 принятого текста", max_length=64)
    given_at = models.DateTimeField("Дано")
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    user_agent = models.CharField("Браузер", max_length=512, blank=True)
    withdrawn_at = models.DateTimeField("Отозвано", null=True, blank=True)
    withdrawn_ip = models.GenericIPAddressField("IP отзыва", null=True, blank=True)

    class Meta:
        verbose_name = "согласие на обработку ПДн"
        verbose_name_plural = "согласия на обработку ПДн"
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_purpose_display()} ({self.given_at:%d.%m.%Y})"


class OneTimeCode(models.Model):
    """An SMS code challenge (SPEC §3.1, ASVS V6.5): for one phone, one purpose and one
    browser session. A resend replaces the code and its expiry but keeps `failed_attempts`,
    so asking for new codes never buys more guesses. Only an HMAC of the code is stored."""

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", "Регистрация"
        PASSWORD_RESET = "password_reset", "Восстановление пароля"
        PHONE_CHANGE = "phone_change", "Смена телефона"
        # A code to the current phone before its phone or e-mail changes (ProfileChange).
        PROFILE_CHANGE = "profile_change", "Подтверждение смены данных"

    phone = models.CharField("Телефон", max_length=16, db_index=True)
    purpose = models.CharField("Назначение", max_length=32, choices=Purpose.choices)
    binding_hash = models.CharField(max_length=64, editable=False, verbose_name="Хеш привязки")
    code_hash = models.CharField(max_length=128, editable=False, verbose_name="Хеш кода")
    # A decoy answers exactly like a real challenge but no code was ever sent, so none matches
    # (an unregistered phone in recovery, a phone that belongs to someone else).
    is_decoy = models.BooleanField("Без отправки кода", default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="Пользователь",
    )
    created_at = models.DateTimeField("Создан")
    sent_at = models.DateTimeField("Последняя отправка")
    expires_at = models.DateTimeField("Действует до")
    send_count = models.PositiveSmallIntegerField("Отправок", default=1)
    failed_attempts = models.PositiveSmallIntegerField("Неверных попыток", default=0)
    used_at = models.DateTimeField("Использован", null=True, blank=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "одноразовый код"
        verbose_name_plural = "одноразовые коды"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone}"


class CodeSend(models.Model):
    """One SMS code sent (or a decoy's pretend send): the rate limits count these rows."""

    phone = models.CharField(max_length=16, verbose_name="Телефон")
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP-адрес")
    at = models.DateTimeField(db_index=True, verbose_name="Время")

    class Meta:
        verbose_name = "отправка кода"
        verbose_name_plural = "отправки кодов"
        indexes = [
            models.Index(fields=["phone", "at"]),
            models.Index(fields=["ip", "at"]),
        ]


class PendingRegistration(models.Model):
    """A registration form that passed every check and waits for its SMS code.

    No User exists until the code is confirmed; the password is kept only as a hash.
    """

    person = models.ForeignKey(
        "policies.InsuredPerson",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="Застрахованный",
    )
    phone = models.CharField(max_length=16, verbose_name="Телефон")
    email = models.EmailField(verbose_name="E-mail")
    password_hash = models.CharField(max_length=255, editable=False, verbose_name="Хеш пароля")
    phone_taken = models.BooleanField(default=False, verbose_name="Телефон уже занят")
    consent_document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, verbose_name="Текст согласия"
    )
    consent_given_at = models.DateTimeField(verbose_name="Согласие дано")
    consent_ip = models.GenericIPAddressField(
        null=True, blank=True, verbose_name="IP-адрес согласия"
    )
    consent_user_agent = models.CharField(
        max_length=512, blank=True, verbose_name="Браузер при согласии"
    )
    challenge = models.OneToOneField(
        OneTimeCode, on_delete=models.CASCADE, related_name="+", verbose_name="Проверочный ключ"
    )
    created_at = models.DateTimeField(db_index=True, verbose_name="Создано")

    class Meta:
        verbose_name = "незавершённая регистрация"
        verbose_name_plural = "незавершённые регистрации"

    def __str__(self) -> str:
        return f"{self.phone} ({self.created_at:%d.%m.%Y %H:%M})"


class RegistrationAttempt(models.Model):
    """A registration form the roster refused (unknown person, already registered, under 18):
    counted per IP so that nobody can probe the roster by trying birth dates in bulk."""

    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="IP-адрес")
    at = models.DateTimeField(db_index=True, verbose_name="Время")
    outcome = models.CharField(max_length=16, verbose_name="Исход")

    class Meta:
        verbose_name = "отклонённая регистрация"
        verbose_name_plural = "отклонённые регистрации"
        indexes = [models.Index(fields=["ip", "at"])]


class ProfileChange(models.Model):
    """A request to change the login phone or the e-mail (pen-test #10 item 7).

    A stolen session must not be enough to take the account over: after the current password,
    the owner proves himself by a code to the OLD phone, or, if that phone is lost, by a link
    to his confirmed e-mail, or, without one, an operator confirms in admin. Only an approved
    change goes on (a code to the new phone; a link to the new e-mail). Starting another
    change cancels the open one.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", "Телефон"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Ждёт кода со старого номера или ссылки из письма"
        OPERATOR = "operator", "Ждёт подтверждения оператора"
        APPROVED = "approved", "Подтверждено"
        DONE = "done", "Выполнено"
        REJECTED = "rejected", "Отклонено оператором"
        CANCELLED = "cancelled", "Отменено"

    class Via(models.TextChoices):
        OLD_PHONE = "old_phone", "Код на прежний номер"
        EMAIL = "email", "Ссылка на подтверждённый e-mail"
        OPERATOR = "operator", "Оператор"

    OPEN = (Status.AWAITING, Status.OPERATOR, Status.APPROVED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile_changes",
        verbose_name="Пользователь",
    )
    kind = models.CharField("Что меняется", max_length=8, choices=Kind.choices)
    new_value = models.CharField("Новое значение", max_length=254)
    old_value = models.CharField("Прежнее значение", max_length=254)
    status = models.CharField(
        "Статус", max_length=10, choices=Status.choices, default=Status.AWAITING, db_index=True
    )
    approved_via = models.CharField("Подтверждено", max_length=10, choices=Via.choices, blank=True)
    created_at = models.DateTimeField("Запрошено")
    decided_at = models.DateTimeField("Решение", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Оператор",
    )
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "смена телефона или e-mail"
        verbose_name_plural = "смены телефона и e-mail"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.old_value} → {self.new_value}"
