import pytest

from .backends import RecordingBackend


@pytest.fixture
def recording(settings):
    """SMS and e-mail go to an in-memory recording backend."""
    settings.SMS_BACKEND = "tests.notifications.backends.RecordingBackend"
    settings.EMAIL_CHANNEL_BACKEND = "tests.notifications.backends.RecordingBackend"
    RecordingBackend.sent = []
    RecordingBackend.fail_with = []
    yield RecordingBackend
    RecordingBackend.sent = []
    RecordingBackend.fail_with = []


@pytest.fixture
def event_templates(settings, tmp_path):
    """A test event `test_event` with an SMS and an e-mail template."""
    folder = tmp_path / "notifications"
    folder.mkdir()
    (folder / "test_event.sms.txt").write_text("Код {{ code }} для {{ name }}", encoding="utf-8")
    (folder / "test_event.email.txt").write_text(
        "Тема {{ name }}\nПривет, {{ name }}!\nКод {{ code }}", encoding="utf-8"
    )
    (folder / "sms_only.sms.txt").write_text("Только SMS {{ name }}", encoding="utf-8")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return folder
