#!/usr/bin/env bash
# The README's test command: lint (ruff, then the import layers of pyproject.toml), migrations check, then
# the whole suite on real PostgreSQL and Redis, with real Celery workers and headless Chromium where a test
# is about them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/services-up.sh
bash scripts/browser-deps.sh
bash scripts/report-deps.sh
bash scripts/peers.sh
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== import layers"
.venv/bin/lint-imports
echo "== migrations"
DJANGO_SETTINGS_MODULE=kawo.settings.test .venv/bin/python manage.py ensure_database
DJANGO_SETTINGS_MODULE=kawo.settings.test .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest"
exec .venv/bin/python -m pytest -n "${KAWO_TEST_WORKERS:-2}" "$@"
