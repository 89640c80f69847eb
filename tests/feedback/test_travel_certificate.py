"""The «Бонусный ВЗР» certificate carries what a consulate asks for (issue #13)."""

import datetime as dt
import subprocess

import pytest
import time_machine
from django.urls import reverse

from feedback.models import BonusTravelPolicy

pytestmark = pytest.mark.django_db


def test_certificate_has_sum_insured_currency_territory_and_an_international_phone(
    client, world, tmp_path, settings
):
    settings.TRAVEL_BONUS = {
        "sum_insured": "50 000",
        "currency": "EUR",
        "assistance_phone": "+7 495 123-45-67",
    }
    me = world["ivanov"]
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(world["owner"])
        client.post(
            reverse("feedback:travel"),
            {
                "countries": ["SCHENGEN"],
                "start_date": "2026-12-10",
                "end_date": "2026-12-20",
                f"t{me.pk}_include": "on",
                f"t{me.pk}_last": "Ivanov",
                f"t{me.pk}_first": "Ivan",
            },
        )
        policy = BonusTravelPolicy.objects.get()
        pdf = tmp_path / "c.pdf"
        pdf.write_bytes(client.get(reverse("feedback:travel_pdf", args=[policy.pk])).content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "Страховая сумма / Sum insured 50 000 EUR" in text
    assert "Территория / Territory" in text and "excluding the Russian Federation" in text
    assert "+7 495 123-45-67" in text and "callable from abroad" in text
    assert "8 800" not in text  # a free-phone number does not answer calls from abroad
