#!/usr/bin/env bash
# Sets up a fresh Debian machine for the whole test suite and runs it.
# System tools the tests drive for real come from Debian (rapper, Chromium, Java for the Nu checker,
# DejaVu fonts for the social image; git for the change feed's history; Virtuoso, a remote store
# the tests start privately); axe-core, vnu.jar and
# Lighthouse from npm; the rest from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

wanted=(raptor2-utils chromium default-jre-headless fonts-dejavu-core nginx-light libnginx-mod-http-js wrk
        virtuoso-opensource)
command -v git >/dev/null || wanted+=(git)
# Node.js and npm may come with the machine rather than from Debian: use those if present.
command -v npm >/dev/null || wanted+=(nodejs npm)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The tests start their own nginx on 127.0.0.1; the package's default site is not wanted.
  if [ -x /usr/sbin/nginx ]; then $SUDO service nginx stop >/dev/null 2>&1 || true; fi
  # Likewise Virtuoso's system service: the tests start their own instances, each with its own database.
  if [ -x /usr/bin/virtuoso-t ]; then $SUDO service virtuoso-opensource-7 stop >/dev/null 2>&1 || true; fi
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
# ckanext-dcat's parser reads the catalog as a CKAN portal would; it lives in its own venv.
if [ ! -x .venv-ckan/bin/python ] || ! .venv-ckan/bin/python -c "import ckanext.dcat" 2>/dev/null; then
  "$PYTHON" -m venv .venv-ckan
  .venv-ckan/bin/python -m pip install -q --disable-pip-version-check "ckan[requirements]" ckanext-dcat
fi
exec .venv/bin/python -m pytest "$@"
