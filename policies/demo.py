"""Demo roster of SPEC §4: ООО «Ромашка», its contract and the four demo people."""

import datetime as dt
from decimal import Decimal

from .models import Contract, Employer, InsuredPerson, Program

PERIOD = (dt.date(2026, 1, 1), dt.date(2027, 12, 31))


def seed_policies() -> dict:
    employer, _ = Employer.objects.get_or_create(
        inn="7700000001", defaults={"name": "ООО «Ромашка»"}
    )
    contract, _ = Contract.objects.get_or_create(
        number="ДМС-2026-001",
        defaults={
            "employer": employer,
            "starts_on": PERIOD[0],
            "ends_on": PERIOD[1],
            "franchise_percent": Decimal("20.00"),
            "payment_term_days": 30,
            "payment_term_kind": Contract.TermKind.BUSINESS,
            "auto_restore": True,
            "report_email": "hr@romashka.example",
            "travel_bonus_days_per_year": 30,
        },
    )
    full, _ = Program.objects.get_or_create(
        contract=contract,
        kind=Program.Kind.FULL,
        defaults={"name": "Поликлиника, стоматология, госпитализация (с франшизой 20\u00a0%)"},
    )
    Program.objects.get_or_create(
        contract=contract,
        kind=Program.Kind.EMERGENCY,
        defaults={"name": "Экстренная помощь через медицинский пульт"},
    )

    def person(policy, **fields):
        obj, _ = InsuredPerson.objects.get_or_create(
            policy_number=policy,
            defaults={
                "contract": contract,
                "program": full,
                "policy_start": PERIOD[0],
                "policy_end": PERIOD[1],
                **fields,
            },
        )
        return obj

    ivanov = person(
        "DMS-0001",
        last_name="Иванов",
        first_name="Иван",
        patronymic="Иванович",
        birth_date=dt.date(1985, 1, 1),
        employee_number="1001",
        category=InsuredPerson.Category.EMPLOYEE,
    )
    ivanova = person(
        "DMS-0002",
        last_name="Иванова",
        first_name="Мария",
        patronymic="Ивановна",
        birth_date=dt.date(2015, 6, 10),
        category=InsuredPerson.Category.RELATIVE,
        sponsor=ivanov,
    )
    petrov = person(
        "DMS-0003",
        last_name="Петров",
        first_name="Пётр",
        patronymic="Петрович",
        birth_date=dt.date(1990, 5, 15),
        employee_number="1003",
        category=InsuredPerson.Category.EMPLOYEE,
    )
    sidorova = person(
        "DMS-0004",
        last_name="Сидорова",
        first_name="Анна",
        patronymic="Сергеевна",
        birth_date=dt.date(2010, 2, 20),
        category=InsuredPerson.Category.RELATIVE,
        sponsor=petrov,
    )
    return {
        "employer": employer,
        "contract": contract,
        "ivanov": ivanov,
        "ivanova": ivanova,
        "petrov": petrov,
        "sidorova": sidorova,
    }
