import pytest

from .factories import make_invoice, make_user


@pytest.fixture
def world(demo):
    """Иванов (owner, with his child Мария), Петров (a stranger with his own invoice), an expert."""
    owner = make_user(demo["ivanov"], email="ivanov@example.com")
    stranger = make_user(demo["petrov"])
    expert = make_user(staff=True, superuser=True)
    invoice = make_invoice(
        demo["ivanov"], lines=(("Приём терапевта", "1000.00"), ("Анализ крови", "500.00"))
    )
    return {
        **demo,
        "owner": owner,
        "stranger": stranger,
        "expert": expert,
        "invoice": invoice,
        "stranger_invoice": make_invoice(demo["petrov"]),
    }


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files and PDFs go to a per-test directory outside the web root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
