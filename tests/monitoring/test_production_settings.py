"""Production settings: JSON logs by default, no weak /metrics token."""

import json

from tests.accounts.test_deploy import manage, production_env

LOG_ONE = "import logging; logging.getLogger('dms.check').warning('проверка %s', 1)"


def test_production_logs_one_json_object_per_line(tmp_path):
    code, output = manage(production_env(tmp_path), "shell", "-c", LOG_ONE)
    assert code == 0, output
    line = next(line for line in output.splitlines() if "dms.check" in line)
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["message"] == "проверка 1"


def test_production_refuses_a_short_metrics_token(tmp_path):
    code, output = manage(production_env(tmp_path, METRICS_TOKEN="short-token"), "check")
    assert code != 0
    assert "METRICS_TOKEN must be at least 32 characters" in output


def test_production_accepts_a_long_metrics_token_and_none(tmp_path):
    for token in ("x" * 32, ""):
        code, output = manage(production_env(tmp_path, METRICS_TOKEN=token), "check")
        assert code == 0, output
