"""Clinics (ЛПУ): reference data below both money (registries, invoices) and care (SPEC §3.9).

The table is still `invoices_clinic`: the model moved here from invoices without moving its
rows, so registries keep referencing clinics by the same ids and codes.
"""

from django.db import models

from dms_portal.search import stems_column
from policies.models import Program


class Clinic(models.Model):
    code = models.CharField("Код ЛПУ", max_length=32, unique=True)
    name = models.CharField("Наименование ЛПУ", max_length=255)
    address = models.CharField("Адрес", max_length=500, blank=True)
    phones = models.CharField("Телефоны", max_length=255, blank=True, help_text="через запятую")
    services = models.TextField(
        "Услуги и специальности", blank=True, help_text="по одной в строке или через запятую"
    )
    latitude = models.DecimalField("Широта", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        "Долгота", max_digits=9, decimal_places=6, null=True, blank=True
    )
    programs = models.ManyToManyField(
        Program, blank=True, related_name="clinics", verbose_name="Программы"
    )
    # Snowball stems of name, address and services (dms_portal.search); kept by save().
    search_stems = models.TextField(
        editable=False, blank=True, default="", verbose_name="Основы слов для поиска"
    )

    class Meta:
        db_table = "invoices_clinic"
        verbose_name = "лечебное учреждение"
        verbose_name_plural = "лечебные учреждения"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_stems = stems_column(self.name, self.address, self.services)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_stems"}
        super().save(*args, **kwargs)

    @property
    def service_list(self) -> list[str]:
        parts = self.services.replace("\n", ",").split(",")
        return [p.strip() for p in parts if p.strip()]

    @property
    def phone_list(self) -> list[str]:
        return [p.strip() for p in self.phones.split(",") if p.strip()]

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class PriceList(models.Model):
    """One loaded price list file (samples/PRICELIST_FORMAT.md); its rows become ServicePrice.
    The file's SHA-256 makes loading the same file again a no-op (invoices/pricelist.py)."""

    original_name = models.CharField("Файл", max_length=255)
    sha256 = models.CharField("SHA-256 файла", max_length=64, unique=True)
    loaded_at = models.DateTimeField("Загружен", auto_now_add=True)
    rows_total = models.PositiveIntegerField("Строк в файле", default=0)
    loaded = models.PositiveIntegerField("Загружено", default=0)
    unchanged = models.PositiveIntegerField("Без изменений", default=0)
    rejected = models.PositiveIntegerField("Отклонено", default=0)
    duplicates = models.PositiveIntegerField("Дубликаты", default=0)
    error = models.TextField("Ошибка чтения файла", blank=True)

    class Meta:
        verbose_name = "прейскурант клиник"
        verbose_name_plural = "прейскуранты клиник"
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class PriceListProblem(models.Model):
    """A row of a price list file that was not loaded, with the reason (the per-row report)."""

    price_list = models.ForeignKey(
        PriceList, on_delete=models.CASCADE, related_name="problems", verbose_name="Прейскурант"
    )
    row_number = models.PositiveIntegerField("Строка")
    column = models.CharField("Колонка", max_length=64, blank=True)
    reason = models.CharField("Причина", max_length=500)

    class Meta:
        verbose_name = "проблема строки прейскуранта"
        verbose_name_plural = "проблемы строк прейскуранта"
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"Строка {self.row_number}"


class ServicePrice(models.Model):
    """A clinic's price of a service from `valid_from` on; the price valid on a day is the one
    with the latest valid_from not after it (a newer list supersedes an older one)."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="prices", verbose_name="Клиника"
    )
    service_code = models.CharField("Код услуги", max_length=64)
    service_name = models.CharField("Наименование услуги", max_length=500)
    price = models.DecimalField("Цена", max_digits=12, decimal_places=2)
    valid_from = models.DateField("Действует с")
    price_list = models.ForeignKey(
        PriceList,
        on_delete=models.PROTECT,
        related_name="prices",
        verbose_name="Из прейскуранта",
    )
    # Snowball stems of the service name (dms_portal.search); kept by save() and the loader.
    search_stems = models.TextField(
        editable=False, blank=True, default="", verbose_name="Основы слов для поиска"
    )

    class Meta:
        verbose_name = "цена услуги"
        verbose_name_plural = "цены услуг"
        ordering = ["service_name", "clinic_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "service_code", "valid_from"], name="service_price_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} — {self.price}"

    def save(self, *args, **kwargs):
        self.search_stems = stems_column(self.service_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_stems"}
        super().save(*args, **kwargs)
