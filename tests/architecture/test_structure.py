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
