import pytest
from django.contrib.auth import get_user_model

from policies.models import InsuredPerson


def _link(person: InsuredPerson, phone: str, email: str):
    user = get_user_model().objects.create_user(
        phone=phone, password="Test-pass-2026!", email=email
    )
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def petrov_user(demo):
    """Петров, registered: he sponsors Сидорова."""
    return _link(demo["petrov"], "+79990000003", "petrov@example.com")


@pytest.fixture
def ivanov_user(demo):
    """Иванов, registered: he sponsors his child Иванова. A stranger to Петров's family."""
    return _link(demo["ivanov"], "+79990000001", "ivanov@example.com")
