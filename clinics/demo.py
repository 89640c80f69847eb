"""Demo clinic of SPEC §4: «Клиника «Здоровье»» with its address, phones, services,
coordinates and both programmes of the demo contract."""

from decimal import Decimal

from policies.models import Program

from .models import Clinic

DEMO_CLINIC = {
    "code": "7701000001",
    "name": "Клиника «Здоровье»",
    "address": "г. Москва, ул. Тверская, д. 10",
    "phones": "+7 495 000-00-01, +7 495 000-00-02",
    "services": "Терапия, Педиатрия, Стоматология, Офтальмология, Неврология, "
    "Лабораторная диагностика, УЗИ",
    "latitude": Decimal("55.762300"),
    "longitude": Decimal("37.607500"),
}


def seed_clinics() -> dict:
    """Idempotent: fills the clinic the demo registry created (or creates it) and links it to
    every programme of the demo contract."""
    fields = {k: v for k, v in DEMO_CLINIC.items() if k != "code"}
    clinic, _ = Clinic.objects.update_or_create(code=DEMO_CLINIC["code"], defaults=fields)
    clinic.programs.add(*Program.objects.filter(contract__number="ДМС-2026-001"))
    return {"clinic": clinic}
