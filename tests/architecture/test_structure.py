"""The house rules a reviewer would otherwise check by hand: small modules, no import loops."""

from .imports import ROOT, cycles, import_graph, project_files

MAX_LINES = 400


def test_no_module_outside_migrations_is_over_400_lines():
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in project_files()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_the_project_has_no_import_loop():
    graph = import_graph()
    assert len(graph) > 100  # the walk found the project
    assert cycles(graph) == []


# docs/architecture.md, «Who may import whom»: keep the two in step.
ALLOWED = {
    "dms_portal": set(),
    "audit": {"dms_portal"},
    "notifications": {"dms_portal"},
    "faq": {"dms_portal"},
    "policies": {"audit", "dms_portal"},
    "clinics": {"policies", "dms_portal"},
    "franchise": {"policies", "audit", "notifications", "dms_portal"},
    "accounts": {"policies", "audit", "notifications", "dms_portal"},
    "invoices": {"policies", "clinics", "franchise", "audit", "notifications", "dms_portal"},
    "feedback": {"invoices", "policies", "audit", "notifications", "dms_portal"},
    "payments": {"invoices", "policies", "audit", "notifications", "dms_portal"},
    "debts": {"invoices", "policies", "audit", "notifications", "dms_portal"},
    "care": {"clinics", "policies", "franchise", "audit", "notifications", "dms_portal"},
    "privacy": {"accounts", "care", "feedback", "invoices", "policies", "audit", "dms_portal"},
    # The composition root: the menu's counter, the demo staff of seed_demo and the monthly
    # digest, which reads invoices, appeals and the roster and sends through notifications.
    "portal": {
        "accounts",
        "care",
        "feedback",
        "invoices",
        "policies",
        "notifications",
        "dms_portal",
    },
}


def test_apps_import_only_what_the_architecture_allows():
    graph = import_graph()
    found = {}
    for module, targets in graph.items():
        app = module.split(".")[0]
        if app not in ALLOWED:
            continue  # tests, bench, scripts, manage.py
        for target in targets:
            other = target.split(".")[0]
            if other in ALLOWED and other != app and other not in ALLOWED[app]:
                found.setdefault(f"{app} → {other}", []).append(f"{module} imports {target}")
    assert found == {}
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps - {"dms_portal"} <= set(ALLOWED), "a new app: add it to docs/architecture.md"
