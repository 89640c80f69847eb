"""Fuzz every query parameter and form of the insured's pages (pentest #10, item 9): whatever
arrives — garbage, huge or negative ids, dates out of range, NUL bytes, lists where one value is
expected — the answer is a page, a redirect or a 4xx, never a 500.

Each endpoint is one test (its own transaction); Hypothesis sends FUZZ_EXAMPLES requests
built from ENDPOINTS' field names to a logged-in demo user (or an anonymous one for login,
registration and recovery).
"""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.payments.factories import make_invoice, make_user

pytestmark = pytest.mark.django_db
FUZZ_EXAMPLES = 40

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64 + 1),
    "-" + str(2**63 + 1),
    "9" * 40,
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "31.12.9999",
    "01.01.0001",
    "2026-02-30",
    "00.00.0000",
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil","x")',
    "../../etc/passwd",
    "%00",
    "+7 (999) 000-00-01",
    "8" * 300,
    "ё" * 300,
    "x" * 5000,
]
# The hostile list twice: half of the values are known troublemakers, half are generated.
VALUE = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(str),
    st.dates().map(lambda d: f"{d.day:02d}.{d.month:02d}.{d.year:04d}"),
)
# A field may be missing, one value, or repeated (a list where the form expects one).
FIELD = st.one_of(VALUE, VALUE, st.lists(VALUE, min_size=0, max_size=3))

# (method, URL, field names, anonymous?) — "{invoice}" / "{person}" are the demo user's ids.
ENDPOINTS = [
    ("get", "/invoices/", ["status", "person", "date_from", "date_to"], False),
    ("get", "/invoices/{invoice}/", ["partial", "page"], False),
    ("get", "/invoices/{invoice}/xlsx/", ["page"], False),
    ("get", "/invoices/spending/", ["year"], False),
    ("get", "/invoices/spending/xlsx/", ["year"], False),
    ("get", "/feedback/", ["invoice", "kind"], False),
    ("get", "/faq/", ["q"], False),
    ("get", "/policies/", ["person"], False),
    ("get", "/clinics/prices/", ["q", "clinic", "person"], False),
    ("post", "/payments/pay/", ["invoice_ids"], False),
    ("post", "/feedback/", ["kind", "person", "invoice", "lines", "reason", "text"], False),
    (
        "post",
        "/feedback/travel/",
        [
            "countries",
            "start_date",
            "end_date",
            "t{person}_include",
            "t{person}_last",
            "t{person}_first",
        ],
        False,
    ),
    ("post", "/franchise/activate/{person}/", ["consent"], False),
    ("post", "/profile/email/", ["email"], False),
    ("post", "/profile/password/", ["old_password", "password1", "password2"], False),
    ("post", "/profile/digest/", ["monthly_digest"], False),
    ("post", "/profile/phone/", ["phone"], False),
    ("post", "/profile/phone/confirm/", ["code"], False),
    ("post", "/", ["username", "password", "remember_me", "next"], True),
    ("get", "/", ["next"], True),
    (
        "post",
        "/register/",
        [
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "number",
            "phone",
            "email",
            "password1",
            "password2",
            "consent",
        ],
        True,
    ),
    ("post", "/register/confirm/", ["code"], True),
    ("post", "/password/forgot/", ["phone"], True),
    ("post", "/password/forgot/confirm/", ["code"], True),
    ("post", "/password/new/", ["password1", "password2"], True),
]


def _fields(names):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, FIELD))


@pytest.fixture
def world(demo, settings):
    settings.AXES_ENABLED = False  # lockouts would hide the forms behind one page after 5 tries
    person = demo["ivanov"]
    user = make_user(person, phone="+79990000001")
    return {"user": user, "person": person.pk, "invoice": make_invoice(person).pk}


@pytest.mark.parametrize(
    ("method", "url", "names", "anonymous"),
    ENDPOINTS,
    ids=[f"{m} {u}" for m, u, _, _ in ENDPOINTS],
)
def test_no_input_makes_a_500(client, world, method, url, names, anonymous):
    client.raise_request_exception = False  # a 500 is an answer to report, not a crash
    url = url.format(**world)
    names = [name.format(**world) for name in names]

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests on every run: no flaky CI
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_fields(names))
    def probe(data):
        client.logout()
        if not anonymous:
            client.force_login(world["user"])
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (method, url, data, response.status_code)

    probe()
