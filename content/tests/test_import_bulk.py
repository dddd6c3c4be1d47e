"""The import's batch writer makes posts exactly as content.services.post_create does, in a fixed number
of queries per batch."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.imports import bulk
from content.models import Post, PostVersion
from content.tests.factories import BannedWordFactory, CampaignFactory, MediaAssetFactory, TagFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ws = WorkspaceFactory(timezone="Asia/Shanghai")
    return {
        "ws": ws,
        "editor": WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user,
        "x": SocialAccountFactory(workspace=ws, platform="x", handle="tea_global"),
        "weibo": SocialAccountFactory(workspace=ws, platform="weibo", handle="tea_cn"),
        "campaign": CampaignFactory(workspace=ws, name="Spring"),
        "tag": TagFactory(group__workspace=ws, name="Recipes"),
        "media": [MediaAssetFactory(workspace=ws), MediaAssetFactory(workspace=ws)],
        "banned": BannedWordFactory(workspace=ws, word="cheap"),
    }


def new_post(w, n: int = 0) -> bulk.NewPost:
    return bulk.NewPost(
        title=f"Launch {n}",
        scheduled_at=datetime.fromisoformat("2031-03-01T09:30:00+08:00"),
        campaign=w["campaign"],
        tags=[w["tag"]],
        is_paid_or_kol=True,
        change_summary="Imported (row 2)",
        targets=[
            bulk.NewTarget(
                account=w["x"], text=f"最好的 cheap tea {n}", first_comment="More", media=w["media"]
            ),
            bulk.NewTarget(account=w["weibo"], text=f"最好的 cheap tea {n}", media=w["media"][:1]),
        ],
    )


def as_service_input(w, item: bulk.NewPost) -> dict:
    return {
        "title": item.title,
        "scheduled_at": item.scheduled_at,
        "campaign": item.campaign.pk,
        "tags": [t.pk for t in item.tags],
        "is_paid_or_kol": item.is_paid_or_kol,
        "change_summary": item.change_summary,
        "targets": [
            {"account": t.account.pk, "text": t.text, "first_comment": t.first_comment, "media": t.media}
            for t in item.targets
        ],
    }


def comparable(post: Post) -> dict:
    post = Post.objects.get(pk=post.pk)
    version = PostVersion.objects.get(post=post)
    target_index = {pk: i for i, pk in enumerate(post.targets.order_by("id").values_list("pk", flat=True))}
    findings = [{**f, "target": target_index[f["target"]]} for f in post.compliance["findings"]]
    audit = AuditEvent.objects.get(action="post.create", target_id=str(post.pk))
    return {
        "fields": (post.title, post.scheduled_at, post.campaign_id, post.is_paid_or_kol, post.author_id),
        "state": (post.status, post.version, post.content_hash),
        "tags": list(post.tags.values_list("pk", flat=True)),
        "compliance": {**post.compliance, "findings": findings},
        "version": (version.number, version.snapshot, version.content_hash, version.author_label),
        "summary": version.change_summary,
        "targets": list(
            post.targets.order_by("id").values_list("account_id", "text", "first_comment", "status")
        ),
        "media": [
            list(t.media_links.values_list("media_id", "position")) for t in post.targets.order_by("id")
        ],
        "audit": (audit.actor_id, audit.workspace_id, audit.organization_id, audit.after),
    }


def test_a_post_written_in_a_batch_is_the_post_the_service_makes(world):
    # given
    item = new_post(world)
    made = services.post_create(actor=world["editor"], workspace=world["ws"], **as_service_input(world, item))
    # when
    [written] = bulk.posts_create_many(
        actor=world["editor"],
        workspace=world["ws"],
        posts=[item],
        banned_words=services.workspace_banned_words(world["ws"]),
    )
    # then
    expected, actual = comparable(made), comparable(written)
    assert actual == expected
    assert actual["compliance"]["findings"], "the example should have findings (banned word, absolute claim)"
    assert actual["compliance"]["blocking"] is True


def _queries_for(world, n: int) -> int:
    items = [new_post(world, i) for i in range(n)]
    banned = services.workspace_banned_words(world["ws"])
    with CaptureQueriesContext(connection) as captured:
        bulk.posts_create_many(actor=world["editor"], workspace=world["ws"], posts=items, banned_words=banned)
    return len(captured)


def test_a_batch_costs_the_same_queries_for_1_post_as_for_20(world):
    # when
    one, twenty = _queries_for(world, 1), _queries_for(world, 20)
    # then
    assert one == twenty
    assert Post.objects.count() == 21


def test_progress_is_reported_after_each_batch(world):
    # given
    seen = []
    # when
    bulk.posts_create_many(
        actor=world["editor"],
        workspace=world["ws"],
        posts=[new_post(world, i) for i in range(5)],
        banned_words=[],
        progress=seen.append,
        batch_size=2,
    )
    # then
    assert seen == [2, 4, 5]
