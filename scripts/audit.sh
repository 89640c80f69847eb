#!/usr/bin/env bash
# `make audit`: known vulnerabilities in the packages installed in .venv (pip-audit against the
# PyPI advisory database, or OSV with AUDIT_SERVICE=osv). Never a silent pass:
#   exit 0  every installed package was checked and none has a known vulnerability;
#   exit 1  vulnerabilities found (listed above the verdict);
#   exit 2  COULD NOT CHECK: the advisory database did not answer, or some packages could not
#           be looked up (listed) — that is no evidence of safety.
# The project itself (dms-portal, not on PyPI) is the one package allowed to be skipped.
set -u
TOOLS=${TOOLS:-.venv-tools}
PYTHON=${PYTHON:-.venv/bin/python}
SERVICE=${AUDIT_SERVICE:-pypi}
site=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$TOOLS/bin/pip-audit" --path "$site" -s "$SERVICE" --progress-spinner off --timeout 20 \
    >"$out" 2>&1
rc=$?
cat "$out"
skipped=$(grep -c "could not be audited" "$out" | tr -d ' ')
skipped_other=$(grep "could not be audited" "$out" | grep -vc "^dms-portal " | tr -d ' ')
echo
if grep -qiE "Found [0-9]+ known vulnerabilit" "$out"; then
    echo "AUDIT: VULNERABILITIES FOUND (see above)."
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "AUDIT: COULD NOT CHECK — pip-audit failed (advisory database '$SERVICE' unreachable?)."
    echo "No package was checked; this is not a pass."
    exit 2
fi
if [ "$skipped_other" -gt 0 ]; then
    echo "AUDIT: COULD NOT CHECK $skipped_other packages — the advisory database '$SERVICE' did"
    echo "not know them (an index mirror without advisories?). This is not a pass."
    exit 2
fi
echo "AUDIT: checked, no known vulnerabilities ($skipped skipped: the project itself)."
exit 0
