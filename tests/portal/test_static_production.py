"""Static files as production serves them (issue #19): collectstatic and gunicorn with the
production settings, then real requests — hashed names, a year of immutable caching, brotli
and gzip — and the pages link the hashed Bootstrap subset when it is built."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("static-production")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dms_portal.settings.production",
        "SECRET_KEY": "static-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "PAYMENT_PROVIDER": "yookassa",
        "YOOKASSA_SHOP_ID": "test",
        "YOOKASSA_SECRET_KEY": "test",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    python = sys.executable
    # The admin's files are many and prove nothing more; compressing them made this test slow.
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0", "-i", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "dms_portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/favicon.ico")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    manifest = json.loads((tmp / "static" / "staticfiles.json").read_text())["paths"]
    yield port, manifest
    server.terminate()
    server.wait(timeout=30)


def _get(port: int, path: str, encoding: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    response = conn.getresponse()
    response.read()
    return response


@pytest.mark.parametrize(
    "name", ["css/portal.css", "js/portal.js", "vendor/bootstrap/js/bootstrap.bundle.min.js"]
)
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_hashed_static_is_compressed_and_cached_a_year(production_server, name, encoding):
    port, manifest = production_server
    hashed = manifest[name]
    assert re.search(r"\.[0-9a-f]{12}\.", hashed), hashed
    response = _get(port, f"/static/{hashed}", f"{encoding}, deflate")
    assert response.status == 200
    assert response.getheader("Content-Encoding") == encoding
    cache = [part.strip() for part in response.getheader("Cache-Control").split(",")]
    assert "max-age=31536000" in cache
    assert "immutable" in cache


def test_bootstrap_subset_is_served_and_much_smaller(production_server):
    subset = "vendor/bootstrap-portal/bootstrap.min.css"
    if not (ROOT / "build" / "static" / subset).is_file():
        pytest.fail("the Bootstrap subset is not built: make setup runs scripts/build_css.py")
    port, manifest = production_server
    response = _get(port, f"/static/{manifest[subset]}", "br")
    assert response.getheader("Content-Encoding") == "br"
    full = ROOT / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.min.css"
    built = (ROOT / "build" / "static" / subset).stat().st_size
    assert built < full.stat().st_size / 2


def test_favicon_answers(production_server):
    port, manifest = production_server
    response = _get(port, "/favicon.ico", "br")
    assert response.status == 302
    assert response.getheader("Location") == f"/static/{manifest['icons/icon-192.png']}"
