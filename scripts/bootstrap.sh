#!/usr/bin/env bash
# Bring a fresh machine to a runnable state: Debian packages when missing, the
# virtual environment, the Python packages. Safe to run again: each step is
# skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv

need_deb=()
command -v chromium >/dev/null 2>&1 || need_deb+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_deb+=(fonts-wqy-microhei)
command -v zbarimg >/dev/null 2>&1 || need_deb+=(zbar-tools)
command -v pdftoppm >/dev/null 2>&1 || need_deb+=(poppler-utils)
command -v msgfmt >/dev/null 2>&1 || need_deb+=(gettext)
# `docker compose config` validates docker-compose.yml in the tests; Debian's
# docker-compose does the same check where the compose plugin is absent.
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
  need_deb+=(docker-compose)
fi
if [ ${#need_deb[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${need_deb[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if $SUDO true 2>/dev/null; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_deb[@]}" >/dev/null
  else
    echo "bootstrap: cannot install ${need_deb[*]} (no root); browser and PDF tests will fail" >&2
  fi
fi

stamp="$VENV/.installed"
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e '.[test]'
  touch "$stamp"
fi
mkdir -p var/static
