#!/usr/bin/env bash
# The README's run command: install, migrate, load demo data, then serve the dashboard with the
# platform simulator, a Celery worker and beat. SQLite and a file broker by default; Postgres and Redis
# when DATABASE_URL and REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-kawo.settings.local}
mkdir -p var
.venv/bin/python manage.py ensure_database
.venv/bin/python manage.py migrate --noinput
[ -n "${REDIS_URL:-}" ] || .venv/bin/python manage.py createcachetable
.venv/bin/python manage.py seed_demo
echo "== starting web (http://127.0.0.1:8000), worker, beat and the platform simulator"
exec .venv/bin/honcho -f Procfile.dev start
