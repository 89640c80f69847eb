"""`manage.py check --deploy` with production settings prints no warnings (SPEC §4, §5), and
production settings refuse what only development may use (pentest #10, finding 1)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")
PAYMENT_VARS = ("PAYMENT_PROVIDER", "YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY")


def production_env(tmp_path, **overrides) -> dict:
    """Exactly what SPEC §4 says production needs, and nothing from the test run's own env
    that could hide a missing default (DJANGO_ALLOW_ASYNC_UNSAFE is for Playwright only)."""
    dropped = {"DJANGO_ALLOW_ASYNC_UNSAFE", *REQUIRED, *PAYMENT_VARS}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "dms_portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "dms.example.ru",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "PAYMENT_PROVIDER": "yookassa",
            "YOOKASSA_SHOP_ID": "123456",
            "YOOKASSA_SECRET_KEY": "live_" + secrets.token_urlsafe(16),
            # Shared by every process, as the page cache needs (nothing connects to it here).
            "CACHE_URL": "redis://127.0.0.1:6379/1",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    code, output = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert code == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


def test_check_deploy_says_the_page_cache_needs_a_shared_cache(tmp_path):
    env = production_env(tmp_path, CACHE_URL=None)
    code, output = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert code != 0 and "portal.W002" in output and "CACHE_URL" in output


def test_production_settings_refuse_to_start_without_secret_key(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=None, ALLOWED_HOSTS=None, DATABASE_URL=None)
    code, output = manage(env, "check")
    assert code != 0
    assert "SECRET_KEY must be set" in output


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PAYMENT_PROVIDER": None}, "PAYMENT_PROVIDER must be set"),
        ({"PAYMENT_PROVIDER": "sandbox"}, "sandbox"),
        ({"YOOKASSA_SHOP_ID": None}, "YOOKASSA_SHOP_ID must be set"),
        ({"YOOKASSA_SECRET_KEY": ""}, "YOOKASSA_SECRET_KEY must be set"),
    ],
    ids=["no-provider", "sandbox", "no-shop-id", "empty-secret-key"],
)
def test_production_settings_refuse_to_start_without_a_real_payment_provider(
    tmp_path, overrides, message
):
    code, output = manage(production_env(tmp_path, **overrides), "check")
    assert code != 0, output
    assert "ImproperlyConfigured" in output and message in output


def test_docker_compose_never_defaults_to_the_sandbox():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "sandbox" not in compose
    assert "PAYMENT_PROVIDER: ${PAYMENT_PROVIDER:-yookassa}" in compose
    assert "${YOOKASSA_SHOP_ID:?" in compose and "${YOOKASSA_SECRET_KEY:?" in compose
    # …and the web container will not serve with an error-level deploy check.
    assert "python manage.py check --deploy --fail-level ERROR &&" in compose


def test_check_deploy_fails_on_an_outbox_backend_under_production(tmp_path):
    env = production_env(tmp_path, SMS_BACKEND="notifications.backends.OutboxBackend")
    code, output = manage(env, "check", "--deploy", "--fail-level", "ERROR")
    assert code != 0
    assert "portal.E002" in output and "SMS_BACKEND" in output
