#!/usr/bin/env bash
# Installs what the project needs into .venv and node_modules; re-runs only when the pins change.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
stamp=$(sha256sum pyproject.toml | cut -c1-16)
if [ "$(cat .venv/.kawo-stamp 2>/dev/null)" != "$stamp" ]; then
  echo "== installing Python packages (pinned in pyproject.toml)"
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$stamp" > .venv/.kawo-stamp
fi
if [ -f package-lock.json ]; then
  lock=$(sha256sum package-lock.json | cut -c1-16)
  if [ "$(cat node_modules/.kawo-stamp 2>/dev/null)" != "$lock" ]; then
    echo "== installing front-end packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock" > node_modules/.kawo-stamp
  fi
fi
