"""The whole guide in one call: a fresh portal, both journeys, the documents.

`build(out)` is what `make guide` (``python -m guide``) and the browser test call; the test
passes pytest-playwright's browser, `make guide` launches Debian's Chromium itself.
"""

import contextlib
import os
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from . import render, steps_account, steps_money, steps_more, steps_staff
from .camera import DESKTOP, Camera
from .model import Tour
from .server import CLOCK_START, guide_portal

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@contextlib.contextmanager
def _chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            browser.close()


def _page(browser: Browser):
    context = browser.new_context(
        locale="ru-RU",
        timezone_id="Europe/Moscow",
        viewport={"width": DESKTOP[0], "height": DESKTOP[1]},
        device_scale_factor=1,
        reduced_motion="reduce",  # no smooth scrolling half-way through a picture
        # The installable app's worker would cache pages between steps; the guide shows
        # the pages as the server renders them.
        service_workers="block",
    )
    context.set_default_timeout(15000)
    # The admin's page menu folded away: the pictures show the page being explained.
    context.add_init_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    return context.new_page()


def build(out: Path, browser: Browser | None = None) -> list[Path]:
    """Walks both journeys against a throwaway portal and writes the guide into `out`."""
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    for old in [*images.glob("*.png"), *out.glob("failed-*.png")]:
        old.unlink()  # a step that is gone leaves no picture behind
    with guide_portal() as portal, contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(_chromium())
        camera = Camera(images)
        insured = Tour(_page(browser), portal, camera)
        staff = Tour(_page(browser), portal, camera)
        # The order the story happens in: Петров joins; the clinic's registry arrives;
        # Иванов sees it, pays and disputes; then the month's invoicing and the queues.
        insured.walk(steps_account.STEPS)
        steps_account.FINISH(insured)
        staff.walk(steps_staff.BEFORE_INVOICING)
        insured.walk(steps_money.STEPS + steps_more.STEPS)
        staff.walk(steps_staff.AFTER_INVOICING)
        for tour in (insured, staff):
            tour.page.context.close()
    date = f"{CLOCK_START:%d.%m.%Y}"
    return render.write_all(out, insured.sections, staff.sections, date) + camera.taken
