"""The co-pay is «сооплата» in every text a reader sees (issue #13); migrations keep history."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "migrations", ".git", "staticfiles", "tests"}
WRONG = re.compile(r"(?<![оО])соплат", re.IGNORECASE)


def test_no_text_spells_the_copay_with_one_o():
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt", ".js", ".md"} or not path.is_file():
            continue
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for number, line in enumerate(path.read_text(errors="ignore").splitlines(), 1):
            if WRONG.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []
