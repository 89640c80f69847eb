"""Build the portal's Bootstrap subset: npm `bootstrap` 5.3.8's CSS through PurgeCSS over every
place a class name can come from (our templates, crispy-bootstrap5's templates, Python forms
and presenters, our JS; the classes Bootstrap's JS adds are listed in the .mjs). `make setup` runs it after `npm ci`.

    .venv/bin/python scripts/build_css.py

Output: build/static/vendor/bootstrap-portal/bootstrap.min.css (not in git). Without node or
the npm packages it says so and exits 0: the settings then fall back to XStatic-Bootstrap's
full stylesheet (dms_portal/settings/base.py, BOOTSTRAP_CSS).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import crispy_bootstrap5

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "static" / "vendor" / "bootstrap-portal" / "bootstrap.min.css"
BOOTSTRAP = ROOT / "node_modules" / "bootstrap" / "dist"
SKIP = {".venv", ".venv-tools", "node_modules", "build", "staticfiles", "tests", "var", ".git"}


def content_globs() -> list[str]:
    crispy = Path(crispy_bootstrap5.__file__).resolve().parent / "templates"
    # Bootstrap's own JS names every component; the classes it adds are in the safelist.
    globs = [f"{crispy}/**/*.html", f"{ROOT}/static/js/*.js"]
    for child in sorted(ROOT.iterdir()):
        if child.is_dir() and child.name not in SKIP and not child.name.startswith("."):
            globs += [f"{child}/**/*.html", f"{child}/**/*.py"]
    return globs


def main() -> None:
    node = shutil.which("node")
    if not node or not (ROOT / "node_modules" / "purgecss").is_dir() or not BOOTSTRAP.is_dir():
        print(
            "build_css: node or the npm packages (bootstrap, purgecss) are missing: "
            "pages use XStatic-Bootstrap's full stylesheet (run `npm ci`, then this again)"
        )
        return
    args = {
        "css": str(BOOTSTRAP / "css" / "bootstrap.min.css"),
        "content": content_globs(),
        "output": str(OUTPUT),
    }
    script = str(ROOT / "assets" / "purge-bootstrap.mjs")
    done = subprocess.run([node, script, json.dumps(args)])  # noqa: S603 - our own paths
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
