.PHONY: run test lint fmt messages screenshots

# Run the app with demo data at http://127.0.0.1:8000 (web, worker, beat, platform simulator).
run:
	bash scripts/run.sh

# Run the whole test suite (real PostgreSQL, Redis, Celery and Chromium).
test:
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

messages:
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests/peers && \
	.venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=tests/peers

# Refresh the README's screenshots (the browser tests save them into docs/screenshots/).
screenshots:
	KAWO_SCREENSHOT_DIR=docs/screenshots .venv/bin/python -m pytest -q -m browser
