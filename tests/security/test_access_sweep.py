"""Issue #18 item 2: the access sweep. Every URL pattern with an object id in the URLconf is
requested as the owner, a relative's sponsor, a stranger, each staff group and anonymous
(ASVS 5.0 V8.2.2, V8.3.1; SPEC §5 «no IDOR»). A pattern with an id and no rule here fails."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .sweep_admin import ADMIN_EXTRA, ADMIN_VIEWERS, admin_object_pk, any_object_pk
from .sweep_world import GROUPS, build_world, clients

# Patterns whose parameters are not object ids, with the reason.
NOT_OBJECT = {
    "accounts:consent_text_version": "a public consent text by its version",
    "accounts:email_confirm": "a signed one-time token (tests/accounts/test_profile_change.py)",
    "accounts:profile_change_approve": "a signed one-time token (tests/accounts)",
    "debts:employer_report": "a signed, expiring token e-mailed to the employer (tests/debts)",
    "payments:sandbox_checkout": "a random checkout token of the sandbox provider (tests/payments)",
    "payments:notification": "the provider's name; notifications are verified (tests/payments)",
    "admin:app_list": "an app label, not an object",
    "admin:view_on_site": "content type + id → the object's site URL; no model has one (404)",
    "admin:<catch-all>": "Django admin's final catch-all (404/redirect)",
}

OWN = ("owner",)
CHILD = ("sponsor",)
# url name → (method, [(kwargs maker, who may: holder role + staff groups)], ...)
PORTAL = {
    "policies:card": (
        "GET",
        [
            (lambda w: {"person_id": w["ivanov"].pk}, OWN),
            (lambda w: {"person_id": w["ivanova"].pk}, CHILD),
        ],
    ),
    "policies:certificate": (
        "GET",
        [
            (lambda w: {"person_id": w["ivanov"].pk}, OWN),
            (lambda w: {"person_id": w["ivanova"].pk}, CHILD),
        ],
    ),
    "franchise:activate": (
        "POST",
        [
            (lambda w: {"person_id": w["ivanov"].pk}, OWN),
            (lambda w: {"person_id": w["ivanova"].pk}, CHILD),
        ],
    ),
    "invoices:detail": (
        "GET",
        [
            (lambda w: {"pk": w["own_invoice"].pk}, OWN),
            (lambda w: {"pk": w["child_invoice"].pk}, CHILD),
        ],
    ),
    "invoices:xlsx": (
        "GET",
        [
            (lambda w: {"pk": w["own_invoice"].pk}, OWN),
            (lambda w: {"pk": w["child_invoice"].pk}, CHILD),
        ],
    ),
    "invoices:pdf": (
        "GET",
        [
            (lambda w: {"pk": w["own_invoice"].pk}, OWN),
            (lambda w: {"pk": w["child_invoice"].pk}, CHILD),
        ],
    ),
    "payments:resume": ("POST", [(lambda w: {"pk": w["pending_payment"].pk}, OWN)]),
    "payments:return": ("GET", [(lambda w: {"pk": w["pending_payment"].pk}, OWN)]),
    "payments:receipt": ("GET", [(lambda w: {"pk": w["succeeded_payment"].pk}, OWN)]),
    "feedback:detail": ("GET", [(lambda w: {"pk": w["appeal"].pk}, OWN)]),
    # Medical documents: the owner and the experts who work appeals (feedback.view_appeal).
    "feedback:attachment": ("GET", [(lambda w: {"pk": w["attachment"].pk}, OWN + ("Эксперты",))]),
    "feedback:travel_pdf": ("GET", [(lambda w: {"pk": w["travel"].pk}, OWN)]),
    "feedback:travel_cancel": ("POST", [(lambda w: {"pk": w["travel_to_cancel"].pk}, OWN)]),
    "care:request_answer": ("POST", [(lambda w: {"pk": w["doctor_request"].pk}, OWN)]),
    "care:request_cancel": ("POST", [(lambda w: {"pk": w["doctor_request"].pk}, OWN)]),
    "care:support_attachment": ("GET", [(lambda w: {"pk": w["support_file"].pk}, OWN)]),
}
# Pages that take a person in the query string (?person=<id>), not in the path: the owner's
# own person and his child open, anyone else's is a 404 (the sweep below sees only paths).
PERSON_PARAM = ["clinics:index", "clinics:prices"]

# Иванов asks as «owner» about his own objects and as «sponsor» about his child's.
OTHERS = ("stranger", *GROUPS, "anonymous")
ADMIN_OBJECT_VIEW = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>change|delete|history)$"
)


def object_patterns():
    """(name, route, pattern) of every pattern with a parameter, recursively."""

    def walk(resolver, prefix, namespace):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                yield from walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and (
                p.pattern.regex.groupindex or "<" in str(p.pattern)
            ):
                name = f"{namespace}:{p.name}" if namespace else str(p.name)
                yield name, prefix + str(p.pattern), p

    yield from walk(get_resolver(), "/", None)


def name_of(name, route):
    if name == "admin:None" and route.endswith("(?P<url>.*)$"):
        return "admin:<catch-all>"
    if name == "admin:None":  # Django's redirect of …/<id>/ to …/<id>/change/
        return "admin:<redirect>" + route
    return name


def to_login(response) -> bool:
    """A redirect to the portal's or the admin's login page."""
    location = response.get("Location", "")
    portal_login = resolve_url(settings.LOGIN_URL) + "?"
    return response.status_code == 302 and (
        location.startswith(portal_login) or location.startswith("/admin/login/")
    )


def denied(response, role) -> bool:
    return to_login(response) or (role != "anonymous" and response.status_code in (403, 404))


def allowed(response) -> bool:
    return response.status_code == 200 or (response.status_code == 302 and not to_login(response))


def request(client, method, path):
    response = client.post(path) if method == "POST" else client.get(path)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_access_sweep(demo, staff_group, capsys):
    world = build_world(demo, staff_group)
    by_role = clients(world)
    failures, covered, unruled, requests = [], [], [], 0

    def check(name, method, path, may):
        nonlocal requests
        holder = "sponsor" if "sponsor" in may else "owner"
        for role in (holder, *OTHERS):
            response = request(by_role[role], method, path)
            requests += 1
            ok = allowed(response) if role in may else denied(response, role)
            if not ok:
                failures.append(f"{name} {method} {path} as {role}: {response.status_code}")

    for raw_name, route, _pattern in object_patterns():
        name = name_of(raw_name, route)
        if name in NOT_OBJECT:
            continue
        covered.append(name)
        if name in PORTAL:
            method, cases = PORTAL[name]
            for make_kwargs, may in cases:
                check(name, method, reverse_path(name, make_kwargs(world)), may)
            continue
        admin_case = admin_request(name, route, world)
        if admin_case is None:
            unruled.append(f"{name} ({route})")
            continue
        method, path, may = admin_case
        check(name, method, path, may)

    with capsys.disabled():
        print(f"\naccess sweep: {len(covered)} patterns, {requests} requests")
    assert not unruled, "URL patterns with an object id and no rule:\n" + "\n".join(unruled)
    assert not failures, "\n".join(failures)
    assert len(covered) >= 160


def has_rule(name, route) -> bool:
    if name in NOT_OBJECT or name in PORTAL or name in ADMIN_EXTRA:
        return True
    if name.startswith("admin:<redirect>"):
        return True
    match = ADMIN_OBJECT_VIEW.match(name)
    model = match and _model_for(match["app"], match["model"])
    return bool(model) and model._meta.label_lower in ADMIN_VIEWERS


def test_a_new_object_url_without_a_rule_fails_the_sweep(settings):
    settings.ROOT_URLCONF = "tests.security.urls_with_a_new_view"
    missing = [
        name_of(name, route)
        for name, route, _ in object_patterns()
        if not has_rule(name_of(name, route), route)
    ]
    assert missing == ["new_view"]


def reverse_path(name, kwargs):
    return reverse(name, kwargs=kwargs)


def admin_request(name, route, world):
    """(method, path, who may) for an admin pattern, or None when no rule covers it."""
    if name.startswith("admin:<redirect>"):
        label = route.split("/")[2] + "." + route.split("/")[3]
        path = route.replace("<path:object_id>", str(_first_pk(label)))
        # A redirect to …/<id>/change/ for any verified staff, which then applies the rule.
        return "GET", path, GROUPS
    if name in ADMIN_EXTRA:
        method, make_kwargs, may = ADMIN_EXTRA[name]
        return method, reverse_path(name, make_kwargs(world)), may
    match = ADMIN_OBJECT_VIEW.match(name)
    if not match:
        return None
    model = _model_for(match["app"], match["model"])
    if model is None or model._meta.label_lower not in ADMIN_VIEWERS:
        return None
    rule = ADMIN_VIEWERS[model._meta.label_lower]
    pk = admin_object_pk(model)
    view = "delete" if match["view"] == "delete" else "view"
    return "GET", reverse_path(name, {"object_id": pk}), rule[view]


def _model_for(app, model_name):
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (app, model_name):
            return model
    return None


def _first_pk(label):
    return any_object_pk(apps.get_model(label))


@pytest.mark.parametrize("name", PERSON_PARAM)
def test_a_person_in_the_query_string_is_one_of_ones_own(name, demo, ivanov_user, client):
    client.force_login(ivanov_user)
    url = reverse(name)
    for person in ("ivanov", "ivanova"):
        assert client.get(url, {"person": demo[person].pk}).status_code == 200
    for person in ("petrov", "sidorova"):
        assert client.get(url, {"person": demo[person].pk}).status_code == 404
