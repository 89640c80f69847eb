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
