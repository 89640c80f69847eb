"""The insurance side: employers, contracts, programmes and the roster of insured people."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower


def normalize_name(value: str) -> str:
    """Roster matching is case- and ё/е-insensitive: 'Пётр ' → 'петр'."""
    return " ".join((value or "").split()).lower().replace("ё", "е")


class Employer(models.Model):
    name = models.CharField("Страхователь", max_length=255)
    inn = models.CharField("ИНН", max_length=12, unique=True)

    class Meta:
        verbose_name = "страхователь"
        verbose_name_plural = "страхователи"

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    class TermKind(models.TextChoices):
        BUSINESS = "business", "рабочих дней"
        CALENDAR = "calendar", "календарных дней"

    class InvoicePeriod(models.TextChoices):
        MONTHLY = "monthly", "ежемесячно"

    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="contracts", verbose_name="Страхователь"
    )
    number = models.CharField("Номер договора", max_length=64, unique=True)
    starts_on = models.DateField("Начало")
    ends_on = models.DateField("Окончание")
    franchise_percent = models.DecimalField(
        "Доля сооплаты, %",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    invoice_period = models.CharField(
        "Период выставления счетов",
        max_length=16,
        choices=InvoicePeriod.choices,
        default=InvoicePeriod.MONTHLY,
    )
    payment_term_days = models.PositiveSmallIntegerField("Срок оплаты", default=30)
    payment_term_kind = models.CharField(
        "Вид срока оплаты", max_length=16, choices=TermKind.choices, default=TermKind.BUSINESS
    )
    auto_restore = models.BooleanField("Автовосстановление программы после оплаты", default=True)
    travel_bonus_days_per_year = models.PositiveSmallIntegerField(
        "Лимит дней «Бонусный ВЗР» в год", default=30
    )
    report_email = models.EmailField("E-mail для отчётов страхователю", blank=True)
    medical_desk_phone = models.CharField(
        "Телефон медицинского пульта", max_length=32, default="8 800 000-00-01"
    )
    # Неустойка (SPEC §3.8, docs/rules.md «Неустойка»): off unless the contract says so. A rate
    # per day of delay on the overdue co-pay, a cap as a percent of that co-pay, and days after
    # the due date that cost nothing. invoices/services/penalty.py accrues it.
    penalty_enabled = models.BooleanField("Начислять неустойку", default=False)
    penalty_rate_percent = models.DecimalField(
        "Неустойка, % в день",
        max_digits=6,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("5"))],
        help_text="Процент от просроченной сооплаты за каждый день просрочки, например 0,1.",
    )
    penalty_cap_percent = models.DecimalField(
        "Предел неустойки, % от сооплаты",
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="Неустойка по счёту не превышает этой доли просроченной сооплаты.",
    )
    penalty_grace_days = models.PositiveSmallIntegerField(
        "Дней без неустойки после срока оплаты",
        default=0,
        validators=[MaxValueValidator(365)],
    )
    # «Оплатить частями» (SPEC §3.8): an invoice of at least this ИТОГО К ОПЛАТЕ may be split.
    instalment_threshold = models.DecimalField(
        "Порог для оплаты частями",
        max_digits=12,
        decimal_places=2,
        default=Decimal("3000.00"),
        validators=[MinValueValidator(Decimal("0.03"))],  # three parts of at least a kopeck
    )

    class Meta:
        verbose_name = "договор ДМС"
        verbose_name_plural = "договоры ДМС"

    def __str__(self) -> str:
        return f"{self.number} ({self.employer})"


class Program(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", "Полная программа"
        EMERGENCY = "emergency", "Экстренная помощь через медицинский пульт"

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="programs", verbose_name="Договор"
    )
    kind = models.CharField("Вид", max_length=16, choices=Kind.choices)
    name = models.CharField("Название", max_length=255)

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind"], name="program_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name


class InsuredPerson(models.Model):
    """A person from the employer's roster (застрахованный)."""

    class Category(models.TextChoices):
        EMPLOYEE = "employee", "Сотрудник"
        RELATIVE = "relative", "Родственник"

    class Status(models.TextChoices):
        ACTIVE = "active", "Действует"
        SUSPENDED = "suspended", "Приостановлен"
        TERMINATED = "terminated", "Прекращён"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="insured", verbose_name="Договор"
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="insured", verbose_name="Программа"
    )
    last_name = models.CharField("Фамилия", max_length=100)
    first_name = models.CharField("Имя", max_length=100)
    patronymic = models.CharField("Отчество", max_length=100, blank=True)
    birth_date = models.DateField("Дата рождения")
    policy_number = models.CharField("Номер полиса", max_length=32, unique=True)
    employee_number = models.CharField("Табельный номер", max_length=32, blank=True)
    category = models.CharField("Категория", max_length=16, choices=Category.choices)
    sponsor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="relatives",
        verbose_name="Сотрудник (для родственника)",
    )
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    policy_start = models.DateField("Полис действует с")
    policy_end = models.DateField("Полис действует по")
    phone = models.CharField("Телефон из списка", max_length=16, blank=True)
    # Normalized copies for roster matching (lower case, ё → е); kept by save().
    last_name_norm = models.CharField(
        max_length=100, editable=False, db_index=True, verbose_name="Фамилия для поиска"
    )
    first_name_norm = models.CharField(
        max_length=100, editable=False, verbose_name="Имя для поиска"
    )
    # The registered account of this person, if any: one account per roster person.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="insured_person",
        verbose_name="Учётная запись",
    )

    class Meta:
        verbose_name = "застрахованный"
        verbose_name_plural = "застрахованные"
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name_norm", "first_name_norm", "birth_date"]),
            models.Index(Lower("employee_number"), name="insured_employee_no_idx"),
        ]

    def save(self, *args, **kwargs):
        self.last_name_norm = normalize_name(self.last_name)
        self.first_name_norm = normalize_name(self.first_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "last_name_norm",
                "first_name_norm",
            }
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.full_name} ({self.policy_number})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()


class RosterImport(models.Model):
    """One upload of an employer's roster file and its outcome (SPEC §3.3-style per-row report).

    Rejected rows are kept here with their row number, column and reason, so nothing the
    employer sent vanishes silently.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="roster_imports", verbose_name="Договор"
    )
    file_name = models.CharField("Файл", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Загрузил",
    )
    created_at = models.DateTimeField("Загружен", auto_now_add=True)
    rows_total = models.PositiveIntegerField("Строк", default=0)
    created = models.PositiveIntegerField("Добавлено", default=0)
    updated = models.PositiveIntegerField("Изменено", default=0)
    unchanged = models.PositiveIntegerField("Без изменений", default=0)
    rejected = models.PositiveIntegerField("Отклонено", default=0)
    # [{"row": 5, "column": "Дата рождения", "reason": "…"}, …]
    errors = models.JSONField("Ошибки по строкам", default=list, blank=True)

    class Meta:
        verbose_name = "загрузка списка застрахованных"
        verbose_name_plural = "загрузки списков застрахованных"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.file_name} ({timezone.localtime(self.created_at):%d.%m.%Y %H:%M})"

    @property
    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"rejected={self.rejected}"
        )
