"""A real Celery worker for tests that are about the worker.

Unit tests run tasks eagerly (kawo.settings.test). A test marked `@pytest.mark.worker` instead starts
`celery -A kawo worker` as a subprocess that:

- uses the SAME database as the test (built from `django.db.connection.settings_dict`, so it is the
  test database pytest-django created); the test must commit its rows, so it needs `transactional_db`
  (the `celery_worker` fixture asks for it);
- consumes from a Redis broker; the test process is switched to publish there instead of running
  tasks eagerly, and switched back afterwards;
- writes emails as files (Django's file-based backend) into a temporary folder the test can read;
- is waited for until it logs that it is ready, and is always stopped (SIGTERM, then SIGKILL to its
  process group), with its log printed when the test fails.

Usage, as a context manager::

    with run_celery_worker(broker_url="redis://127.0.0.1:6379/4", mail_dir=tmp_path / "mail") as worker:
        ...  # publish work (e.g. call a service; on_commit enqueues)
        [message] = worker.wait_for_emails(1)

or with the `celery_worker` fixture: bind it in the test module (`celery_worker = tests.worker.celery_worker`,
as accounts/tests/test_worker.py does) or list "tests.worker" in the root conftest's `pytest_plugins`, then
ask for `celery_worker`; mark the test `@pytest.mark.worker`.

The broker is `KAWO_TEST_BROKER_URL`, else the test's own `REDIS_URL`. Each worker keeps its broker keys
under a prefix of its own (kombu's `global_keyprefix`; kawo.settings.test reads
`KAWO_CELERY_BROKER_PREFIX`), so parallel runs sharing a Redis database never take each other's tasks.
The child shares the test's cache (`REDIS_URL` and the xdist cache key prefix), so locks and rate limits
held in Redis are seen by both sides.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_STARTUP_TIMEOUT = 60.0
DEFAULT_SHUTDOWN_TIMEOUT = 15.0
LOG_TAIL_CHARS = 20_000
# Django's file-based email backend separates the messages in one file with this line.
EMAIL_FILE_SEPARATOR = "\n" + "-" * 79 + "\n"

T = TypeVar("T")


class WorkerError(AssertionError):
    """The worker did not start, died, or a condition it should bring about did not happen in time."""


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (dj-database-url syntax) for the database a Django connection points at."""
    engine = settings_dict["ENGINE"]
    name = settings_dict["NAME"]
    if engine.endswith("sqlite3"):
        if not name or str(name) == ":memory:" or "mode=memory" in str(name):
            raise WorkerError("An in-memory SQLite database cannot be shared with a worker process.")
        return f"sqlite:///{name}"
    if "postgresql" not in engine:
        raise WorkerError(f"Unsupported database engine for a worker test: {engine}")
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(settings_dict.get("HOST") or "localhost")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(name), safe='')}"


def default_broker_url() -> str:
    """`KAWO_TEST_BROKER_URL`, else the test's own Redis database (each test run has its own)."""
    from django.conf import settings

    url = os.environ.get("KAWO_TEST_BROKER_URL") or getattr(settings, "REDIS_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        raise WorkerError("A worker test needs a Redis broker: set REDIS_URL or KAWO_TEST_BROKER_URL.")
    return url


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        raise WorkerError(f"The broker at {url} is not reachable: {exc}") from exc


def read_email_files(mail_dir: Path) -> list[EmailMessage]:
    """Every message Django's file-based backend wrote into `mail_dir`, oldest file first."""
    if not mail_dir.exists():
        return []
    messages = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
        for chunk in path.read_bytes().split(EMAIL_FILE_SEPARATOR.encode()):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
    return messages


@dataclass
class CeleryWorker:
    """A running worker subprocess; see `run_celery_worker`."""

    process: subprocess.Popen
    hostname: str
    broker_url: str
    key_prefix: str
    queues: list[str]
    log_path: Path
    mail_dir: Path
    env: dict[str, str] = field(repr=False)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        text = self.log()
        return text if len(text) <= chars else "…" + text[-chars:]

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def fail(self, message: str) -> WorkerError:
        status = "running" if self.is_alive() else f"exited with code {self.process.returncode}"
        return WorkerError(
            f"{message}\nworker {self.hostname} ({status}), queues {self.queues}, broker {self.broker_url}"
            f"\n--- worker log ({self.log_path}) ---\n{self.log_tail()}\n--- end of worker log ---"
        )

    def wait_until(
        self,
        predicate: Callable[[], T],
        *,
        timeout: float = 30.0,
        interval: float = 0.1,
        what: str = "the condition",
    ) -> T:
        """Polls `predicate` until it returns something truthy; fails with the worker's log otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if not self.is_alive():
                raise self.fail(f"The worker died while waiting for {what}.")
            if time.monotonic() >= deadline:
                raise self.fail(f"Timed out after {timeout:.0f}s waiting for {what}.")
            time.sleep(interval)

    def emails(self) -> list[EmailMessage]:
        return read_email_files(self.mail_dir)

    def wait_for_emails(self, count: int = 1, *, timeout: float = 30.0) -> list[EmailMessage]:
        """Waits until the worker has sent at least `count` emails; returns all of them."""
        return self.wait_until(
            lambda: (found := self.emails()) and len(found) >= count and found,
            timeout=timeout,
            what=f"{count} email(s) in {self.mail_dir}",
        )

    def wait_for_log(self, text: str, *, timeout: float = 30.0) -> None:
        self.wait_until(lambda: text in self.log(), timeout=timeout, what=f"{text!r} in the worker log")

    def kill(self) -> None:
        """SIGKILL the whole process group at once (a crash: no warm shutdown, no acks)."""
        _signal_group(self.process, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)

    def stop(self, timeout: float = DEFAULT_SHUTDOWN_TIMEOUT) -> None:
        """Warm shutdown (SIGTERM) of the whole process group, then SIGKILL if it does not finish."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=10)
        # A prefork pool's children share the group: none may outlive the test, even if the main
        # process died on its own.
        _signal_group(self.process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    # The worker was started in its own session, so its process group id is its pid.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _reset_broker_pools(app) -> None:
    """Drop the app's cached broker connections so the next publish connects to the current URL."""
    pool = app._pool
    if pool is not None:
        with contextlib.suppress(Exception):
            pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    # kombu caches producer pools per connection URL process-wide; a closed one would be handed back for
    # the same URL later ("Acquire on closed pool"), so drop them all and let kombu make fresh ones.
    from kombu import pools

    with contextlib.suppress(Exception):
        pools.reset()


@contextlib.contextmanager
def publishing_to(broker_url: str, key_prefix: str = "") -> Iterator[None]:
    """In this (test) process, send tasks to `broker_url` (under `key_prefix`) instead of running them."""
    from kawo.celery import app

    transport_options = dict(app.conf.broker_transport_options or {})
    if key_prefix:
        transport_options["global_keyprefix"] = key_prefix
    changes = {
        "broker_url": broker_url,
        "broker_transport_options": transport_options,
        "task_always_eager": False,
    }
    previous = {key: app.conf.get(key) for key in changes}
    previous_env = os.environ.get("CELERY_BROKER_URL")
    _reset_broker_pools(app)
    app.conf.update(changes)
    os.environ["CELERY_BROKER_URL"] = broker_url  # celery reads this before its own setting
    try:
        yield
    finally:
        _reset_broker_pools(app)
        app.conf.update(previous)
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


def worker_environment(
    *, broker_url: str, key_prefix: str, mail_dir: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """The child's environment: the test's database and cache, the broker, file email, no eager tasks."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kawo.settings.test",
            "DATABASE_URL": database_url(connection.settings_dict),
            "DB_CONN_MAX_AGE": "0",  # no connection left open to the test database after a task
            "CELERY_BROKER_URL": broker_url,
            "KAWO_CELERY_BROKER_PREFIX": key_prefix,  # read by kawo.settings.test
            "KAWO_CELERY_EAGER": "0",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        }
    )
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        env["REDIS_URL"] = redis_url  # the same cache as the test (rate limits, locks)
    env.update(extra or {})
    return env


@contextlib.contextmanager
def run_celery_worker(
    *,
    broker_url: str | None = None,
    mail_dir: Path | None = None,
    log_dir: Path | None = None,
    queues: Sequence[str] | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    publish: bool = True,
    extra_env: dict[str, str] | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    key_prefix: str | None = None,
    cleanup_broker: bool = True,
) -> Iterator[CeleryWorker]:
    """Starts `celery -A kawo worker`, waits until it is ready, yields it, and always stops it.

    `queues` defaults to the app's default queue and the publish queue; pass every queue your tasks are
    routed to. The
    worker's broker keys carry a prefix of their own, so parallel test runs sharing a Redis database
    never see each other's tasks, and nothing left by an interrupted run is picked up. With `publish`
    (default), this process sends tasks to that broker and prefix while the block runs; otherwise
    tasks published here stay eager. Several workers (and `run_celery_beat`) share one broker when
    given the same `key_prefix`; pass `cleanup_broker=False` to all but the outermost so that stopping
    one does not delete the others' queues.
    """
    from kawo.celery import app

    broker_url = broker_url or default_broker_url()
    _check_redis(broker_url)
    name = f"kawo-test-{uuid.uuid4().hex[:10]}"
    hostname = f"{name}@localhost"
    key_prefix = key_prefix or f"{name}:"
    scratch = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    mail_dir = Path(mail_dir or scratch / "mail")
    mail_dir.mkdir(parents=True, exist_ok=True)
    log_dir = Path(log_dir or scratch)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    from django.conf import settings

    queues = list(queues or [app.conf.task_default_queue, settings.PUBLISH_QUEUE])
    env = worker_environment(broker_url=broker_url, key_prefix=key_prefix, mail_dir=mail_dir, extra=extra_env)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kawo",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        f"--queues={','.join(queues)}",
        f"--hostname={hostname}",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we can stop it and its children together
        )
    worker = CeleryWorker(
        process=process,
        hostname=hostname,
        broker_url=broker_url,
        key_prefix=key_prefix,
        queues=queues,
        log_path=log_path,
        mail_dir=mail_dir,
        env=env,
    )
    failed = True
    try:
        worker.wait_until(
            lambda: f"{hostname} ready." in worker.log(),
            timeout=startup_timeout,
            interval=0.2,
            what="the worker to be ready",
        )
        with publishing_to(broker_url, key_prefix) if publish else contextlib.nullcontext():
            yield worker
        failed = False
    finally:
        worker.stop(timeout=shutdown_timeout)
        if cleanup_broker:
            _delete_broker_keys(broker_url, key_prefix)
        if failed:
            # pytest shows the captured output of failed tests: the worker's side of the story.
            sys.stderr.write(f"\n--- celery worker log ({log_path}) ---\n{worker.log_tail()}\n--- end ---\n")


@contextlib.contextmanager
def run_celery_beat(
    *,
    broker_url: str,
    key_prefix: str,
    log_dir: Path,
    extra_env: dict[str, str] | None = None,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> Iterator[CeleryWorker]:
    """Starts `celery -A kawo beat` on the broker and key prefix the workers use (its schedule file in
    `log_dir`), waits until it starts, yields it (as a CeleryWorker handle: log, kill, stop), stops it."""
    name = f"kawo-beat-{uuid.uuid4().hex[:10]}"
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    env = worker_environment(
        broker_url=broker_url, key_prefix=key_prefix, mail_dir=log_dir / "mail", extra=extra_env
    )
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kawo",
        "beat",
        f"--schedule={log_dir / name}-schedule",
        "--loglevel=INFO",
    ]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    beat = CeleryWorker(
        process=process,
        hostname=name,
        broker_url=broker_url,
        key_prefix=key_prefix,
        queues=[],
        log_path=log_path,
        mail_dir=log_dir / "mail",
        env=env,
    )
    try:
        beat.wait_until(
            lambda: "beat: Starting..." in beat.log(),
            timeout=startup_timeout,
            interval=0.2,
            what="beat to start",
        )
        yield beat
    finally:
        beat.stop(timeout=5)


def _delete_broker_keys(broker_url: str, key_prefix: str) -> None:
    """Removes what the stopped worker left on the broker (its queues, bindings, unacked messages)."""
    import redis

    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(broker_url, socket_connect_timeout=3, socket_timeout=3)
        keys = list(client.scan_iter(match=f"{key_prefix}*", count=500))
        if keys:
            client.delete(*keys)


@pytest.fixture
def celery_worker(transactional_db, tmp_path) -> Iterator[CeleryWorker]:
    """A real worker on the test database; rows must be committed, hence `transactional_db`."""
    with run_celery_worker(mail_dir=tmp_path / "mail", log_dir=tmp_path) as worker:
        yield worker
    # Shown by pytest only when the test failed.
    sys.stdout.write(f"\n--- celery worker log ({worker.log_path}) ---\n{worker.log_tail()}\n--- end ---\n")
