"""`python -m guide [OUT]` — `make guide`: regenerate docs/guide (or OUT) from the portal."""

import sys
from pathlib import Path

from .run import build

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "guide"
    written = build(out.resolve())
    images = [path for path in written if path.suffix == ".png"]
    size = sum(path.stat().st_size for path in images)
    print(f"Руководство: {out}/README.md, operators.md, guide.html, guide.pdf")
    print(f"Снимков: {len(images)}, {size / 1_048_576:.1f} МБ")


if __name__ == "__main__":
    main()
