"""Clinic registries in, deductible invoices out (SPEC §3.3)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinics.models import Clinic  # re-exported: registries and older code import it here
from dms_portal.russian import period_name
from policies.models import Contract, InsuredPerson

from .money import MONEY, InvoiceQuerySet


class ServiceRegistry(models.Model):
    """One imported registry file and its report."""

    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает"
        RUNNING = "running", "Загружается"
        DONE = "done", "Загружен"
        FAILED = "failed", "Ошибка чтения"

    uploaded_at = models.DateTimeField("Загружен", auto_now_add=True)
    file = models.FileField("Файл", upload_to="registries/%Y/%m/")
    original_name = models.CharField("Имя файла", max_length=255)
    sha256 = models.CharField("Контрольная сумма SHA-256", max_length=64, db_index=True)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField("Ошибка", blank=True)
    rows_total = models.PositiveIntegerField("Строк в файле", default=0)
    rows_done = models.PositiveIntegerField("Строк обработано", default=0)
    loaded = models.PositiveIntegerField("Загружено", default=0)
    held = models.PositiveIntegerField("Задержано", default=0)
    rejected = models.PositiveIntegerField("Отклонено", default=0)
    duplicates = models.PositiveIntegerField("Дубликаты", default=0)
    finished_at = models.DateTimeField("Завершён", null=True, blank=True)
    # The import's lease: the importing process refreshes it as it goes; «Загружается» with a
    # heartbeat older than REGISTRY_IMPORT_STALE_SECONDS (or none) is an interrupted import.
    heartbeat_at = models.DateTimeField("Последний признак жизни импорта", null=True, blank=True)

    class Meta:
        verbose_name = "реестр услуг"
        verbose_name_plural = "реестры услуг"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        moment = timezone.localtime(self.uploaded_at) if self.uploaded_at else None
        return f"{self.original_name} ({moment:%d.%m.%Y %H:%M})" if moment else self.original_name


class RegistryProblem(models.Model):
    """A rejected or held row of a registry file: row number, column, reason, raw values."""

    class Kind(models.TextChoices):
        REJECTED = "rejected", "Отклонена"
        HELD = "held", "Задержана"

    registry = models.ForeignKey(
        ServiceRegistry, on_delete=models.CASCADE, related_name="problems", verbose_name="Реестр"
    )
    row_number = models.PositiveIntegerField("Строка")
    column = models.CharField("Колонка", max_length=64, blank=True)
    reason = models.CharField("Причина", max_length=500)
    kind = models.CharField("Итог", max_length=16, choices=Kind.choices)
    raw = models.JSONField("Значения строки", default=dict)

    class Meta:
        ordering = ["registry", "row_number"]
        verbose_name = "проблема строки реестра"
        verbose_name_plural = "проблемы строк реестров"

    def __str__(self) -> str:
        return f"Строка {self.row_number}: {self.reason}"


class ServiceLine(models.Model):
    """One rendered service. (clinic, line_id) is the idempotency key of imports."""

    class Status(models.TextChoices):
        LOADED = "loaded", "Загружена"
        HELD = "held", "Задержана"
        BILLED = "billed", "Выставлена в счёте"
        DISMISSED = "dismissed", "Снята"

    # The three foreign keys below have no database constraint (db_constraint=False): per-row
    # RI triggers doubled the set-based load of a registry (measured by bench/import_registry.py:
    # 14.6 s → 5.8 s for 300,000 lines). Integrity holds by construction: the import takes these
    # ids from joins inside its own transaction, and Django still applies PROTECT / SET_NULL on
    # delete. Indexes stay.
    clinic = models.ForeignKey(
        Clinic,
        on_delete=models.PROTECT,
        related_name="lines",
        db_constraint=False,
        verbose_name="Клиника",
    )
    line_id = models.CharField("ID строки", max_length=64)
    registry = models.ForeignKey(
        ServiceRegistry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
        db_constraint=False,
        verbose_name="Реестр",
    )
    registry_no = models.CharField("Номер реестра", max_length=64)
    row_number = models.PositiveIntegerField(default=0, verbose_name="Номер строки")
    person = models.ForeignKey(
        InsuredPerson,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_lines",
        db_constraint=False,
        verbose_name="Застрахованный",
    )
    policy_no = models.CharField("Номер полиса", max_length=32)
    last_name = models.CharField(max_length=100, verbose_name="Фамилия")
    first_name = models.CharField(max_length=100, verbose_name="Имя")
    patronymic = models.CharField(max_length=100, blank=True, verbose_name="Отчество")
    birth_date = models.DateField(verbose_name="Дата рождения")
    service_date = models.DateField("Дата услуги", db_index=True)
    service_code = models.CharField("Код услуги", max_length=64)
    service_name = models.CharField("Наименование услуги", max_length=500)
    quantity = models.PositiveIntegerField("Количество")
    unit_price = models.DecimalField("Цена", **MONEY)
    amount = models.DecimalField("Сумма", **MONEY)
    status = models.CharField(
        max_length=16, choices=Status.choices, db_index=True, verbose_name="Статус"
    )
    hold_reason = models.CharField("Причина задержки", max_length=255, blank=True)
    # Line checks (SPEC §3.8), set at import by registry/linecheck.py: they inform the insured
    # and the operator and never hold or change a line. db_default: the set-based import
    # INSERTs name only the registry's columns.
    flag_repeat = models.BooleanField("Повтор услуги", db_default=False)
    flag_quantity = models.BooleanField("Необычное количество", db_default=False)
    flag_price = models.BooleanField("Цена выше обычной", db_default=False)
    flag_two_clinics = models.BooleanField("Две клиники в один день", db_default=False)
    # An open «Это был не я» dispute of a line not yet invoiced: the invoice run leaves it out
    # until the expert decides (accepted → dismissed, rejected → cleared and billed next run).
    dispute_open = models.BooleanField("Оспаривается", db_default=False)

    class Meta:
        verbose_name = "услуга"
        verbose_name_plural = "услуги"
        constraints = [
            models.UniqueConstraint(fields=["clinic", "line_id"], name="service_line_unique"),
        ]
        indexes = [models.Index(fields=["status", "service_date"])]

    def __str__(self) -> str:
        return f"{self.service_date:%d.%m.%Y} {self.service_name}"


class InvoiceNumberSequence(models.Model):
    """The last number used for a period; taken under a row lock so numbers are gap-free."""

    year = models.PositiveSmallIntegerField(verbose_name="Год")
    month = models.PositiveSmallIntegerField(verbose_name="Месяц")
    last = models.PositiveIntegerField(default=0, verbose_name="Последний номер")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "month"], name="seq_per_period")]
        verbose_name = "нумератор счетов"
        verbose_name_plural = "нумераторы счетов"


class Invoice(models.Model):
    """Счёт на оплату франшизы: never edited once formed; corrections are their own documents."""

    class Status(models.TextChoices):
        NEW = "new", "НОВЫЙ"
        PENDING = "pending", "ОЖИДАЕТ ОПЛАТЫ"
        PAID = "paid", "ОПЛАЧЕН"
        OVERDUE = "overdue", "ПРОСРОЧЕН"
        DISPUTED = "disputed", "ОСПАРИВАЕТСЯ"
        ANNULLED = "annulled", "АННУЛИРОВАН"

    number = models.CharField("Номер счёта", max_length=32, unique=True)
    period_year = models.PositiveSmallIntegerField(verbose_name="Год периода")
    period_month = models.PositiveSmallIntegerField(verbose_name="Месяц периода")
    sequence = models.PositiveIntegerField(verbose_name="Порядковый номер")
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="invoices", verbose_name="Договор"
    )
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name="Застрахованный",
    )
    # The account holder who sees and pays it: the person himself or his sponsor.
    payer = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="payable_invoices",
        verbose_name="Плательщик",
    )
    formed_at = models.DateTimeField("Дата формирования", db_index=True)
    due_date = models.DateField("Оплатить до")
    copay_total = models.DecimalField("Сумма сооплаты", **MONEY)
    deposit_applied = models.DecimalField("Гарантийный взнос", default=Decimal("0.00"), **MONEY)
    amount_due = models.DecimalField("Итого к оплате", **MONEY)
    status = models.CharField(
        "Статус", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    paid_at = models.DateTimeField("Оплачен", null=True, blank=True)
    annulled_at = models.DateTimeField(null=True, blank=True, verbose_name="Аннулирован")
    annul_reason = models.CharField("Причина аннулирования", max_length=500, blank=True)
    pdf = models.FileField(upload_to="invoices/%Y/%m/", blank=True, verbose_name="Счёт (PDF)")
    # Set while a dispute pauses the due clock (SPEC §3.5); the days left are restored on reject.
    due_paused_at = models.DateTimeField(
        null=True, blank=True, verbose_name="Срок оплаты приостановлен"
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = "счёт"
        verbose_name_plural = "счета"
        ordering = ["-formed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_year", "period_month", "sequence"],
                name="invoice_number_parts_unique",
            ),
        ]
        indexes = [models.Index(fields=["payer", "-formed_at"])]

    def __str__(self) -> str:
        return f"Счёт {self.number}"

    def payable_amount(self) -> Decimal:
        """ИТОГО К ОПЛАТЕ of this one invoice, as `InvoiceQuerySet.with_money` defines it: the
        annotated value when the invoice came from such a queryset, else one query for it."""
        if "payable" in self.__dict__:
            return self.payable
        return (
            Invoice.objects.filter(pk=self.pk).with_money().values_list("payable", flat=True).get()
        )


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name="Счёт"
    )
    service_line = models.ForeignKey(
        ServiceLine,
        on_delete=models.PROTECT,
        related_name="invoice_lines",
        verbose_name="Строка реестра",
    )
    service_date = models.DateField("Дата услуги")
    clinic_name = models.CharField("ЛПУ", max_length=255)
    service_name = models.CharField("Услуга", max_length=500)
    quantity = models.PositiveIntegerField("Количество")
    cost = models.DecimalField("Стоимость", **MONEY)
    copay = models.DecimalField("Сумма сооплаты", **MONEY)

    class Meta:
        ordering = ["service_date", "id"]
        verbose_name = "строка счёта"
        verbose_name_plural = "строки счёта"


class DepositEntry(models.Model):
    """Ledger of a relative's deposit (гарантийный взнос): the balance is the sum of entries.
    Payments in are positive; applications to invoices negative; returns (annulment,
    credits after an accepted dispute) positive."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", "Взнос"
        APPLICATION = "application", "Зачтено в счёт"
        RETURN = "return", "Возврат на депозит"
        CREDIT = "credit", "Зачёт по обращению"

    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="deposit_entries",
        verbose_name="Застрахованный",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name="Вид операции")
    amount = models.DecimalField(**MONEY, verbose_name="Сумма")
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposit_entries",
        verbose_name="Счёт",
    )
    created_at = models.DateTimeField(db_index=True, verbose_name="Создано")
    reference = models.CharField("Основание", max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "операция депозита"
        verbose_name_plural = "депозит: операции"


class InvoiceCorrection(models.Model):
    """A correction document against a formed invoice (an accepted dispute, SPEC §3.5).

    The invoice is never edited: what is payable is its amount due minus its corrections.
    """

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="corrections", verbose_name="Счёт"
    )
    number = models.CharField("Номер корректировки", max_length=40, unique=True)
    created_at = models.DateTimeField("Дата")
    reason = models.CharField("Основание", max_length=500)
    amount = models.DecimalField("Сумма уменьшения", **MONEY)
    # Where already paid co-pay went: the deposit of the person's policy, or a refund.
    settlement = models.CharField(
        max_length=16,
        blank=True,
        choices=[("", "—"), ("deposit", "На депозит"), ("refund", "Возврат")],
        verbose_name="Расчёт",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "корректировка счёта"
        verbose_name_plural = "корректировки счетов"


class InvoiceCorrectionLine(models.Model):
    correction = models.ForeignKey(
        InvoiceCorrection,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name="Корректировка",
    )
    invoice_line = models.ForeignKey(
        InvoiceLine,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="Строка счёта",
    )
    copay_reduction = models.DecimalField("Уменьшение сооплаты", **MONEY)

    class Meta:
        verbose_name = "строка корректировки"
        verbose_name_plural = "строки корректировки"


class HeldServiceLine(ServiceLine):
    """The operator's queue of held lines (admin): re-match after a roster fix, or dismiss."""

    class Meta:
        proxy = True
        verbose_name = "задержанная услуга"
        verbose_name_plural = "задержанные услуги (очередь оператора)"


class InvoiceRun(models.Model):
    """An invoice run started from admin: its period, state and result (issue #13)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Завершено"
        FAILED = "failed", "Ошибка"

    period_year = models.PositiveSmallIntegerField("Год")
    period_month = models.PositiveSmallIntegerField("Месяц")
    status = models.CharField("Статус", max_length=16, choices=Status.choices, default="queued")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, verbose_name="Запустил"
    )
    queued_at = models.DateTimeField("Поставлено в очередь", auto_now_add=True)
    started_at = models.DateTimeField("Начато", null=True, blank=True)
    finished_at = models.DateTimeField("Завершено", null=True, blank=True)
    invoices_formed = models.PositiveIntegerField("Сформировано счетов", default=0)
    error = models.TextField("Ошибка", blank=True)

    class Meta:
        verbose_name = "выставление счетов"
        verbose_name_plural = "выставления счетов"
        ordering = ["-queued_at"]

    def __str__(self) -> str:
        return f"Выставление счетов за {period_name(self.period_year, self.period_month)}"


# The penalty ledger lives in its own module (this one is near the size limit); importing it
# here registers it with the app.
# Registers the instalment models with this app (SPEC §3.8); they live in their own package.
from .instalments.models import InstalmentPart, InstalmentPlan  # noqa: E402, F401
from .penalty_models import PenaltyEntry  # noqa: E402, F401
