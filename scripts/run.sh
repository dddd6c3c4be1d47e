#!/usr/bin/env bash
# The README's run command: install, migrate, load demo data, then serve the dashboard with the
# platform simulator, a publish worker (queue "publish"), a Celery worker, a metrics worker (queue
# "metrics") and beat. SQLite and a file broker by default; Postgres and Redis when DATABASE_URL and
# REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
# A second `make run` beside a running one would migrate, seed and start a simulator against the first
# one's data: stop at once instead, before touching anything.
for port in 8000 8100; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "make run: port $port is already in use (another 'make run'?); stop that first." >&2
    exit 1
  fi
done
bash scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-kawo.settings.local}
mkdir -p var
.venv/bin/python manage.py ensure_database
.venv/bin/python manage.py migrate --noinput
[ -n "${REDIS_URL:-}" ] || .venv/bin/python manage.py createcachetable
# The platform simulator first (in this process group, so it stops with the rest), so that the demo's
# social accounts are created on it with working tokens.
.venv/bin/python manage.py run_platform_sim --host 127.0.0.1 --port 8100 &
for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:8100/_sim/health >/dev/null 2>&1 && break
  sleep 0.5
done
.venv/bin/python manage.py seed_demo
echo "== starting web (http://127.0.0.1:8000), a publish worker, a worker, a metrics worker and beat; the platform simulator is on :8100"
exec .venv/bin/honcho -f Procfile.dev start
