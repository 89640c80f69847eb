#!/usr/bin/env bash
# Debian packages the portal needs: WeasyPrint's libraries and fonts (PDFs), pdftotext (tests
# read PDFs back), Chromium and npm (browser tests; Leaflet). As root they are installed; otherwise the exact
# command is printed. `run` needs only the PDF libraries and carries on without them.
set -euo pipefail
mode=${1:-test}
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra)
if [ "$mode" = test ]; then
  pkgs+=(poppler-utils chromium libatomic1)
  # npm installs Leaflet for the «Клиники» map test; any npm on PATH (e.g. NodeSource) will do.
  command -v npm >/dev/null || pkgs+=(npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Missing system packages. Run as root:"
  echo "  sudo apt-get update && sudo $cmd"
  if [ "$mode" = test ]; then exit 1; fi
  echo "(continuing: PDF downloads will not work until they are installed)"
fi
