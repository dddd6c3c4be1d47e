"""Metric pulls have a queue of their own, and every way of running the app consumes it (issue 12): the
default worker only the default queue (publishing never waits behind a pull), a metrics worker "metrics"."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml
from celery import Celery
from celery import current_app as app  # kawo.celery's app (kawo/__init__.py makes it current)
from django.conf import settings
from kombu import Connection

ROOT = Path(__file__).resolve().parents[2]
PULL_TASKS = ("analytics.pull_account", "analytics.pull_posts")


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def consumed_queues(command: list[str]) -> set[str]:
    """The queues a `celery worker` command line consumes (the default queue when it names none)."""
    for arg in command:
        if arg.startswith(("--queues=", "-Q=")):
            return set(arg.split("=", 1)[1].split(","))
    if "-Q" in command:
        return set(command[command.index("-Q") + 1].split(","))
    return {app.conf.task_default_queue}


def workers_of_procfile() -> dict[str, set[str]]:
    workers = {}
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        name, _, command = line.partition(":")
        if not line.startswith("#") and " worker" in command:
            workers[name] = consumed_queues(shlex.split(command))
    return workers


def workers_of_compose() -> dict[str, set[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {
        name: consumed_queues(service["command"])
        for name, service in services.items()
        if "worker" in service.get("command", [])
    }


def pipeline_tasks() -> set[str]:
    """Every task of publishing.tasks whose body runs the publish pipeline (it imports it: read from the
    source)."""
    import inspect

    from publishing import tasks

    return {
        t.name
        for t in vars(tasks).values()
        if hasattr(t, "run") and getattr(t, "name", "").startswith("publishing.")
        if "from . import pipeline" in inspect.getsource(t.run)
    }


def test_pulls_go_to_the_metrics_queue_and_publishing_to_its_own():
    assert {queue_of(task) for task in PULL_TASKS} == {"metrics"}
    found = pipeline_tasks()
    assert {"publishing.dispatch", "publishing.publish_batch", "publishing.settle_target"} <= found
    assert {queue_of(task) for task in found} == {"publish"}
    # nothing else shares it: exports, webhooks and notices stay on the default queue
    app.loader.import_default_modules()
    others = {name for name in app.tasks if not name.startswith("celery.") and name not in found}
    assert "publish" not in {queue_of(name) for name in others}
    assert queue_of("publishing.deliver_webhook") == "celery"
    # the planner keeps time however long the metrics queue is (it only queues, it never reads)
    assert queue_of("analytics.plan_pulls") == "celery"


def test_make_run_and_docker_compose_consume_both_queues_on_separate_workers():
    for workers in (workers_of_procfile(), workers_of_compose()):
        # given / when: the workers each way of running starts; then
        assert set().union(*workers.values()) == {"celery", "metrics", "publish"}, workers
        assert all(len(queues) == 1 for queues in workers.values()), workers


def test_the_demo_file_broker_delivers_a_pull_to_the_metrics_queue_only(tmp_path):
    # given the SQLite demo's broker (kombu's filesystem transport) with the project's routes
    folder, done, control = (str(tmp_path / name) for name in ("queue", "done", "control"))
    options = {"data_folder_in": folder, "data_folder_out": folder, "processed_folder": done}
    options["control_folder"] = control  # else kombu makes ./control in the working folder
    demo = Celery("kawo-demo", broker="filesystem://", set_as_current=False)
    demo.conf.update(broker_transport_options=options, task_routes=settings.CELERY_TASK_ROUTES)
    for name in ("queue", "done", "control"):
        (tmp_path / name).mkdir()

    # when a pull is sent
    demo.send_task("analytics.pull_posts", args=[1, ["a"]])

    # then a consumer of "metrics" gets it, and a consumer of the default queue gets nothing
    with Connection("filesystem://", transport_options=options) as conn:
        assert conn.SimpleQueue("celery").qsize() == 0
        message = conn.SimpleQueue("metrics").get(timeout=2)
        assert message.headers["task"] == "analytics.pull_posts"
        message.ack()
