"""Edits hammered around the due time, with real workers and beat (the approval gate's race).

Posts approved and due within seconds; four threads edit them through the API (the whole Django stack)
while the dispatcher claims and workers publish. Every edit is either applied (and that post is then not
published with the old content: not at all, as the edit needs a new approval) or refused with 409; no 5xx;
no "deadlock detected" anywhere; and every published post is exactly its approved snapshot.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services as approvals
from approvals.models import ApprovalRequest, RequestStatus
from approvals.tests.factories import workflow_with
from content import services as content_services
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from publishing.models import PublishAttempt

from .pipeline_kit import sim_account
from .test_pipeline_worker import cluster, pipeline_env, status_counts, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

POSTS = 24
EDITORS = 4
HAMMER_SECONDS = 14.0


def _approved_posts(platform_sim, ws, editor, manager) -> list[Post]:
    accounts = [sim_account(platform_sim, ws)[0] for _ in range(6)]
    posts = []
    for n in range(POSTS):
        account = accounts[n % len(accounts)]
        post = content_services.post_create(
            actor=editor,
            workspace=ws,
            title=f"Launch {n}",
            targets=[{"account": account.pk, "text": f"approved text {n}"}],
            scheduled_at=timezone.now() + timedelta(hours=1),
        )
        request = approvals.approval_request_submit(actor=editor, post=post)
        approvals.approval_decide(actor=manager, request=request, decision="approve")
        posts.append(Post.objects.get(pk=post.pk))
    return posts


def _hammer(ws, editor, post_ids, stop_at, results, lock, not_before):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    rng = random.Random()
    try:
        while time.monotonic() < stop_at:
            now = time.monotonic()
            open_ids = [p for p in post_ids if not_before.get(p, 0.0) <= now]
            if not open_ids:
                time.sleep(0.05)
                continue
            post_id = rng.choice(open_ids)
            post = Post.objects.get(pk=post_id)
            target = PostTarget.objects.filter(post_id=post_id).first()
            if rng.random() < 0.5:
                body = {"version": post.version, "title": f"edited title {rng.random():.6f}"}
            else:
                body = {
                    "version": post.version,
                    "targets": [{"account": target.account_id, "text": f"edited {rng.random():.6f}"}],
                }
            response = client.patch(
                f"/api/v1/workspaces/{ws.pk}/posts/{post_id}/", body, content_type="application/json"
            )
            code = response.json().get("error", {}).get("code") if response.status_code >= 400 else ""
            with lock:
                results.append((post_id, response.status_code, code))
    finally:
        connection.close()


def test_edits_hammered_around_the_due_time_never_deadlock_or_publish_unapproved_content(
    platform_sim, tmp_path
):
    # given: approved posts, scheduled (schedule_when_approved is off: scheduled here, as a person would)
    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    editor = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    manager = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    workflow_with(admin, ws, [{"name": "Manager", "approver_users": [manager.pk]}])
    posts = _approved_posts(platform_sim, ws, editor, manager)
    for post in posts:
        content_services.post_schedule(actor=admin, post=post)
    ids = [p.pk for p in posts]
    with cluster(tmp_path, pipeline_env(platform_sim), workers=2, beats=1, concurrency=4) as (
        workers,
        beats,
        _,
    ):
        # when: due over the next seconds, edited all the while
        # A third of the posts are left alone until a second after they fall due (the dispatcher ticks
        # every second), so edits meet posts being claimed and published whatever the machine's speed;
        # the rest are edited from the start (on a fast machine every one of them is edited before it
        # falls due, which alone would leave nothing published).
        now, started = timezone.now(), time.monotonic()
        not_before = {}
        for n, post_id in enumerate(ids):
            due_in = 2 + (n % 8)
            Post.objects.filter(pk=post_id).update(scheduled_at=now + timedelta(seconds=due_in))
            if n % 3 == 0:
                not_before[post_id] = started + due_in + 1.0
        results: list[tuple[int, int, str]] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + HAMMER_SECONDS
        threads = [
            threading.Thread(target=_hammer, args=(ws, editor, ids, stop_at, results, lock, not_before))
            for _ in range(EDITORS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_for(
            lambda: (
                not PostTarget.objects.filter(
                    post_id__in=ids, status__in=[S.SCHEDULED, S.QUEUED, S.PUBLISHING]
                )
                .exclude(post__scheduled_at__gt=timezone.now() + timedelta(minutes=5))
                .exists()
            ),
            timeout=90,
            what="every due post to be decided",
            on_timeout=lambda: status_counts([t.pk for t in PostTarget.objects.filter(post_id__in=ids)]),
        )
        logs = "\n".join(h.log() for h in [*workers, *beats])
    # then: no deadlock, no 5xx; each edit applied or refused with 409 (a claimed post or a stale version)
    assert "deadlock detected" not in logs
    codes = {code for _post, code, _c in results}
    assert codes <= {200, 409}, sorted(codes)
    applied = {post for post, code, _c in results if code == 200}
    refused = [c for _post, code, c in results if code == 409]
    assert set(refused) <= {"target_locked", "stale_version"}
    published = set(
        PostTarget.objects.filter(post_id__in=ids, status=S.PUBLISHED).values_list("post_id", flat=True)
    )
    assert applied and published  # the race really happened on both sides
    # an applied edit reset the approval: that post was not published (with the old content or any)
    assert not (applied & published)
    # every published post is exactly its approved snapshot, on the platform and in the attempt log
    remote_posts = {p["id"]: p for p in platform_sim.posts("x")}
    for post_id in published:
        request = ApprovalRequest.objects.filter(post_id=post_id, status=RequestStatus.APPROVED).latest("id")
        (approved,) = request.payload["targets"]
        target = PostTarget.objects.get(post_id=post_id)
        attempt = PublishAttempt.objects.filter(target=target).latest("id")
        assert {k: attempt.request[k] for k in approved} == approved
        assert remote_posts[target.external_id]["text"] == approved["text"]
    assert len(remote_posts) == len(published)  # once each
    print(
        f"\nrace: {len(results)} edits ({len(applied)} posts edited, {len(refused)} refused with 409),"
        f" {len(published)} published, 0 deadlocks"
    )
