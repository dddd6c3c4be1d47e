"""Test settings: real PostgreSQL and Redis (they run on this machine and in CI)."""

import os
from pathlib import Path

# Not the README's run database (`kawo`): `make test` must never create or touch the one `make run` uses.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kawo_test_suite")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("KAWO_VAR_DIR", str(Path(__file__).resolve().parents[2] / "var" / "test"))

from .base import *  # noqa: E402,F403

# Live-server threads must not keep connections open past a request (they would block test DB teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest-django forces locmem in the test process; a real worker started by tests/worker.py writes files.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Unit tests run tasks inline; tests about the worker start a real one (tests/worker.py), which sets
# KAWO_CELERY_EAGER=0 so that it consumes from the broker instead of running tasks in place.
CELERY_TASK_ALWAYS_EAGER = env_bool("KAWO_CELERY_EAGER", default=True)  # noqa: F405
if os.environ.get("KAWO_CELERY_BROKER_PREFIX"):
    # Each real worker gets its own key prefix, so workers of parallel test runs sharing one Redis
    # database never take each other's tasks (the test process publishes with the same prefix).
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": os.environ["KAWO_CELERY_BROKER_PREFIX"],
    }
CELERY_TASK_EAGER_PROPAGATES = True
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
CACHES["default"]["KEY_PREFIX"] = f"kawo-test-{_worker}"  # noqa: F405
# Rate-limit blocks are keyed by account id, and every xdist worker has its own database (ids repeat).
KAWO_RATELIMIT_PREFIX = f"kawo-test-{_worker}:rl:"
KAWO_FERNET_KEYS = ["dGVzdC1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="]
