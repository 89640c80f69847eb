"""Payments fixtures: the demo family (owner Иванов with his child), a stranger (Петров)."""

import pytest

# The URLconf routes the sandbox only while it is the configured provider, and Django builds
# it once: build it now, under the test settings' sandbox, rather than lazily inside whichever
# test first resolves a URL (the YooKassa tests switch the provider).
import dms_portal.urls  # noqa: F401

from .factories import make_invoice, make_user


@pytest.fixture
def owner(demo):
    return make_user(demo["ivanov"], phone="+79990000001", email="ivanov@example.com")


@pytest.fixture
def stranger(demo):
    return make_user(demo["petrov"], phone="+79990000003", email="petrov@example.com")


@pytest.fixture
def two_new(demo, owner):
    """Two NEW invoices: Иванов's (390.00 co-pay) and his child's (390.00)."""
    return [make_invoice(demo["ivanov"]), make_invoice(demo["ivanova"])]


@pytest.fixture
def strangers_invoice(demo, stranger):
    return make_invoice(demo["petrov"])
