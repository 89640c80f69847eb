"""Shared fixtures: the demo roster, users (owner / relative / stranger), and the browser.

Services: with REQUIRE_SERVICES=1 (set by .ci/run) the run must be on PostgreSQL and a Redis
broker must answer, or the whole run fails instead of quietly skipping.
"""

import os
import runpy
from pathlib import Path

import pytest
from django.utils.translation.reloader import translation_file_changed

# Playwright's sync API runs an event loop in the test thread; the ORM calls that tests make
# around it are still synchronous, so Django's async guard must be off for the test run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    # The Russian plural forms catalogue is build output (`make setup` compiles it); a bare
    # `pytest` from a fresh clone compiles it the same way.
    script = Path(__file__).resolve().parent.parent / "scripts" / "compile_messages.py"
    for mo_path in runpy.run_path(str(script))["compile_messages"]():
        # Django may have read the catalogues already (pytest-django sets it up first).
        translation_file_changed(sender=None, file_path=mo_path)


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"REQUIRE_SERVICES=1 but the database is {engine}, not PostgreSQL", 3)
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.exit("REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not a Redis URL", 3)
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(f"REQUIRE_SERVICES=1 but Redis does not answer: {exc}", 3)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached values are keyed by row ids (the support
    badge's count, issue #19), which a rolled-back test may hand out again. The same for
    Django's content-type cache: a transactional test's flush gives the content types new ids
    on PostgreSQL, and the admin's log entries would point at the old ones."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    cache.clear()
    ContentType.objects.clear_cache()


@pytest.fixture
def redis_url(settings):
    """The broker URL for tests that need Redis: skipped locally without it, required in CI."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        if REQUIRE_SERVICES:
            pytest.fail("Redis is required (REQUIRE_SERVICES=1) but CELERY_BROKER_URL is unset")
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    return url


@pytest.fixture
def postgres(settings):
    """For tests about real row locks: skipped on SQLite locally, required in CI."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("PostgreSQL is required (REQUIRE_SERVICES=1)")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
    return connection


@pytest.fixture
def demo(db):
    """The demo roster of SPEC §4 (no accounts): employer, contract, the four people."""
    from policies.demo import seed_policies

    return seed_policies()


def _register(person, phone: str, email: str):
    """Link a roster person to a fresh account (registration itself is tested in accounts)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        phone=phone, password="Test-pass-2026!", email=email
    )
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def petrov_user(demo):
    """Петров, registered: he sponsors Сидорова."""
    return _register(demo["petrov"], "+79990000003", "petrov@example.com")


@pytest.fixture
def ivanov_user(demo):
    """Иванов, registered: he sponsors his child Иванова. A stranger to Петров's family."""
    return _register(demo["ivanov"], "+79990000001", "ivanov@example.com")


@pytest.fixture
def faq_seeded(db):
    """The FAQ is seeded by a data migration, but transactional tests flush the database:
    run the migration's own seed step again when an earlier test has emptied the table."""
    import importlib

    from django.apps import apps

    from faq.models import FaqItem

    if not FaqItem.objects.exists():
        importlib.import_module("faq.migrations.0002_seed_guide_questions").seed(apps, None)
        importlib.import_module("faq.migrations.0004_more_questions").seed(apps, None)


# --- browser -----------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "ru-RU",
        "timezone_id": "Europe/Moscow",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture
def screenshot():
    """screenshot(page, name): saves artifacts/screenshots/<name>-<width>.png at 1280 and 390."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, widths=(1280, 390)):
        original = page.viewport_size
        paths = []
        for width in widths:
            page.set_viewport_size({"width": width, "height": 900})
            path = ARTIFACTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size(original)
        return paths

    return take


# Staff groups come from data migrations, and a transactional (browser) test flushes them; the
# same forwards functions make them again, so a test always gets the migration's permissions.
GROUP_MIGRATIONS = [
    "debts.migrations.0002_operators_group",
    "invoices.migrations.0011_operators_invoice_runs",
    "invoices.migrations.0013_operators_penalty",
    "invoices.migrations.0015_operators_instalment_plans",
    "accounts.migrations.0006_operators_confirm_profile_changes",
    "feedback.migrations.0003_experts_group",
    "care.migrations.0002_medical_desk_group",
    "clinics.migrations.0003_permissions_and_stems",
    "clinics.migrations.0006_operators_price_lists",
    "privacy.migrations.0002_security_group_and_append_only",
]


@pytest.fixture
def staff_group(db):
    """`staff_group("Эксперты")`: the group as its migration made it."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    def get(name: str) -> Group:
        if not Group.objects.filter(name=name).exists():
            for module in GROUP_MIGRATIONS:
                importlib.import_module(module).forwards(apps, None)
        return Group.objects.get(name=name)

    return get
