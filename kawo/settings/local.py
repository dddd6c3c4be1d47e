"""Local development and the demo: the README's run command uses these."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-change-me"  # noqa: F405
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# A fixed development key so the demo's stored credentials survive restarts. Never used in production.
KAWO_FERNET_KEYS = KAWO_FERNET_KEYS or ["bG9jYWwtZGV2LW9ubHkta2V5LW5vdC1mb3ItcHJvZCE="]  # noqa: F405
