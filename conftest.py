"""Shared fixtures. Per-app factories live in <app>/tests/factories.py."""

import os
import warnings

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory

# The platform simulator: `platform_sim` fixture (a SimClient on a per-session server, reset per test).
# Bluesky's own PDS: `bluesky_pds` fixture (started on first use, once per session).
# X's twitter-text and Node's Intl.Segmenter: `counting_reference` fixture (tests/peers/counting.py).
# Chromium through Playwright: `browser` and `page` fixtures (tests/browser/kit.py).
pytest_plugins = [
    "platform_sim.testing",
    "tests.peers.bluesky_pds",
    "tests.peers.counting",
    "tests.browser.kit",
]


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise expects STATIC_ROOT to exist (tests serve static files through the finders).
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from tests are still
# synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a page test that renders Chinese must not leave the
    process translating later tests' messages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    # Only this test process's keys (KEY_PREFIX carries the xdist worker): never flush a shared Redis db.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    yield


@pytest.fixture(scope="session", autouse=True)
def _no_rate_limits_left_from_an_earlier_run():
    """The shared rate-limit gate lives in Redis, keyed by account id under this test process's prefix;
    a run a minute ago left its blocks there, and its account ids are this run's again (a new test
    database restarts them). Cleared once at the start, before any worker of this run exists."""
    from django.conf import settings

    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return
    import redis

    from publishing.ratelimit import key_prefix

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{key_prefix()}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def workspace(db):
    return WorkspaceFactory()


@pytest.fixture
def member_factory(db):
    def make(workspace, role=Role.EDITOR, **kwargs):
        return WorkspaceMemberFactory(workspace=workspace, role=role, **kwargs)

    return make


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def client_for():
    """An API client signed in as the given user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end the sessions tests left open on it, so the drop does not
    fail with "being accessed by other users" and leave the database behind.

    Idle ones are expected: ORM calls a browser test makes while Playwright's sync API is active run in
    Playwright's greenlet context, where Django opens a connection of its own that nothing closes. A
    session left busy or inside a transaction is a real leak and is named in a warning."""
    yield
    from django.db import connection

    # pytest-django creates the test database only when a collected test uses one; otherwise the
    # connection still names the development database: nothing of ours to clean.
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].startswith("test_"):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for pid, application, state, query in cursor.fetchall():
            if state != "idle":
                warnings.warn(
                    f"a test left database session {pid} {state} ({application or 'no name'}): {query}",
                    stacklevel=1,
                )
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
