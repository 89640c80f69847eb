import io
import json
import logging

import pytest

from dms_portal.logs import ContextFilter, JsonFormatter


class JsonLines:
    """The records a logger emits, formatted exactly as production's handler formats them."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def json_log():
    """Production's console handler (ContextFilter + JsonFormatter) on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield JsonLines(stream)
    root.removeHandler(handler)
    root.setLevel(level)
