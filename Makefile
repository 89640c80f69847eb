# The README's two commands: `make run` (portal on SQLite with demo data) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test guide setup sysdeps-run sysdeps-test lint format bench-smoke restore-drill clean-venv sbom audit

$(BIN)/python:
	$(PY) -m venv $(VENV)

# XStatic-Bootstrap builds only with a setuptools that still ships pkg_resources,
# hence the pinned setuptools and --no-build-isolation.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=69,<81" wheel
	$(BIN)/python -m pip install -q --no-build-isolation -e '.[dev]'
	touch $@

# Leaflet (the «Клиники» map) from npm, pinned by package-lock.json; Django serves node_modules.
# Without npm the portal still runs: «Клиники» then shows the list without a map.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: «Клиники» will show the list without a map (apt-get install npm)"; fi

# Only the Bootstrap the portal uses: npm bootstrap's CSS through PurgeCSS over our templates,
# crispy-bootstrap5's templates, Python and JS (scripts/build_css.py); rebuilt when a template
# or module changes. Without npm pages fall back to XStatic-Bootstrap's full stylesheet.
CSS_OUT := build/static/vendor/bootstrap-portal/bootstrap.min.css
CSS_SOURCES := $(shell find . \( -path ./.venv -o -path ./node_modules -o -path ./build -o -path ./.git -o -path ./tests -o -path ./var \) -prune -o \( -name '*.html' -o -name '*.py' -o -name '*.js' \) -print 2>/dev/null)
$(CSS_OUT): node_modules/.package-lock.json assets/purge-bootstrap.mjs scripts/build_css.py $(CSS_SOURCES) | $(STAMP)
	$(BIN)/python scripts/build_css.py

# The Russian plural forms catalogue (locale/ru), compiled with polib: no system gettext needed.
locale/ru/LC_MESSAGES/django.mo: locale/ru/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/python scripts/compile_messages.py

setup: $(STAMP) node_modules/.package-lock.json $(CSS_OUT) locale/ru/LC_MESSAGES/django.mo

sysdeps-run:
	@scripts/sysdeps.sh run

sysdeps-test:
	@scripts/sysdeps.sh test

run: setup sysdeps-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Портал: http://127.0.0.1:$(PORT)/  (демо-вход: +79990000001 / Demo-2026!)"
	PY=$(BIN)/python PORT=$(PORT) scripts/run-dev.sh

test: sysdeps-test setup
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

# The illustrated guide (docs/guide): the portal on a throwaway database with a fixed clock,
# walked in Chromium; GUIDE_OUT=/tmp/guide writes it elsewhere. tests/guide runs the same walk.
GUIDE_OUT ?= docs/guide
guide: sysdeps-test setup
	$(BIN)/python -m guide $(GUIDE_OUT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-smoke:
	$(BIN)/python bench/import_registry.py 2000
	$(BIN)/python bench/invoicing.py 200
	$(BIN)/python bench/invoices_page.py
	$(BIN)/python bench/invoice_xlsx.py 1000
	BENCH_N=200 $(BIN)/python bench/debts_overdue.py
	$(BIN)/python bench/pages_load.py 2
	$(BIN)/python bench/ops_middleware.py 20000

# Backup and restore drill on the DATABASE_URL server (PostgreSQL): pg_dump → pg_restore into a
# new database, tables and files compared; the last line says OK or FAILED (exit 1).
restore-drill: setup
	$(BIN)/python scripts/restore_drill.py

# Supply chain (docs/security.md): the tools live in their own venv, so they neither change
# nor appear in the environment they describe.
TOOLS := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed
SBOM ?= sbom.cdx.json

$(TOOLS_STAMP):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q "pip-audit>=2.7,<3" "cyclonedx-bom>=7,<8"
	touch $@

# A CycloneDX bill of materials of the installed .venv (works offline).
sbom: $(STAMP) $(TOOLS_STAMP)
	$(TOOLS)/bin/cyclonedx-py environment --pyproject pyproject.toml --of JSON -o $(SBOM) $(BIN)/python
	@echo "SBOM: $(SBOM)"

# Known vulnerabilities (pip-audit); exit 2 and a loud «COULD NOT CHECK» when the advisory
# database is unreachable. Not part of CI: its answer depends on the network.
audit: $(STAMP) $(TOOLS_STAMP)
	TOOLS=$(TOOLS) PYTHON=$(BIN)/python scripts/audit.sh

clean-venv:
	rm -rf $(VENV) $(TOOLS)
