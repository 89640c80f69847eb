"""The guide's journey is a test: CI regenerates the whole guide into a temporary folder, so a
renamed button or a broken flow fails here (issue #21). `make guide` refreshes docs/guide."""

import re
import subprocess

import pytest

from guide import steps_account, steps_money, steps_more, steps_staff
from guide.run import build

pytestmark = [pytest.mark.browser]

INSURED = steps_account.STEPS + steps_money.STEPS + steps_more.STEPS
STAFF = steps_staff.BEFORE_INVOICING + steps_staff.AFTER_INVOICING


def test_the_guide_journey_runs_and_writes_both_guides_and_the_pdf(browser, tmp_path):
    build(tmp_path, browser=browser)

    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    operators = (tmp_path / "operators.md").read_text(encoding="utf-8")
    for steps, text in ((INSURED, readme), (STAFF, operators)):
        for step in steps:
            assert re.search(rf"^## \d+\. {re.escape(step.title)}$", text, re.M), step.title
            widths = (1280, 390) if step.phone else (1280,)
            for width in widths:
                image = tmp_path / "images" / f"{step.slug}-{width}.png"
                assert image.exists(), image
                assert f"images/{image.name}" in text
    # Every rule the issue names is told at its step.
    for rule in (
        "до обращения в клинику",
        "следующего рабочего дня",
        "1,5–2 месяца",
        "30 рабочих дней",
        "Экстренная помощь через медицинский пульт",
        "15 календарных дней",
        "в течение 5 дней",
        # Issue #15's pages and rules (the demo data can show no instalments or penalty).
        "«Начислено» — сооплата за услуги",
        "304,16 ₽",
        "итоговая сумма определяется реестром клиники",
        "от 3 000 ₽",
        "на 2 или 3 ежемесячные части",
        "Неустойка начисляется, только если её предусматривает договор",
        "открыто «Несогласие с услугой»",
    ):
        assert rule in readme, rule
    for rule in ("«Прейскуранты клиник»", "«Списать неустойку…»", "«Графики оплаты частями»"):
        assert rule in operators, rule
    assert "Часто задаваемые вопросы" in readme
    assert not list(tmp_path.glob("failed-*.png"))

    images = list((tmp_path / "images").glob("*.png"))
    assert len(images) == sum(2 if s.phone else 1 for s in INSURED + STAFF)
    assert sum(path.stat().st_size for path in images) < 5 * 1024 * 1024

    pdf = tmp_path / "guide.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    # pdftotext (poppler-utils) is part of `make test`'s system packages, as for the other PDFs.
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = " ".join(text.split())
    assert "Личный кабинет ДМС: руководство застрахованного" in text
    assert "Активация франшизы" in text
    assert "Несогласие с услугой" in text
