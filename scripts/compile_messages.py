"""Compile locale/*/LC_MESSAGES/*.po into .mo with polib (no system gettext needed).

The .mo files are build output (not committed): `make setup`, the test run (tests/conftest.py)
and the Dockerfile build them. Usage: python scripts/compile_messages.py
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def compile_messages(root: Path = ROOT) -> list[Path]:
    built = []
    for po_path in sorted((root / "locale").glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        built.append(mo_path)
    return built


if __name__ == "__main__":
    for path in compile_messages():
        print(f"compiled {path.relative_to(ROOT)}")
