"""Polling contract per inbound source against the simulator: paging past one page, a duplicate delivery,
a fan's edit and deletion, our own reply recognised, and a rate limit that waits for Retry-After."""

from __future__ import annotations

import pytest

from channels_app import vault
from channels_app.connectors.base import PostPayload
from channels_app.connectors.registry import connector_for
from inbox.models import InboxItem, InboxSource
from inbox.services.polling import inbox_poll_account, inbox_polls_plan
from publishing.tests.pipeline_kit import sim_account

pytestmark = pytest.mark.django_db


def _our_post(account, text="新品上市 https://brand.example/new") -> str:
    connector = connector_for(account.platform)
    result = connector.publish(vault.credentials_read(account), PostPayload(text=text))
    return result.external_id


def _fan(platform_sim, account, kind, n, **fields):
    return platform_sim.fan_writes(
        account.platform,
        account.external_id,
        kind=kind,
        text=fields.pop("text", f"第{n}条评论 great"),
        author_id=fields.pop("author_id", str(9000 + n)),
        author_handle=f"fan{n}",
        author_followers=10 * n,
        **fields,
    )


# --- Weibo: comments/show per weibo, comments/mentions, statuses/mentions ---


def test_weibo_reads_every_page_of_comments_and_both_mention_lists(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "weibo")
    post_id = _our_post(account)
    for n in range(205):  # past one page of 200
        _fan(platform_sim, account, "comment", n, post_id=post_id)
    _fan(platform_sim, account, "mention", 900, text="@品牌 你们的新品在哪买？")
    _fan(platform_sim, account, "mention", 901, text="评论里提到 @品牌", in_comment=True, post_id="77")
    # when
    result = inbox_poll_account(account.pk)
    # then
    assert result.status == "done" and result.created == 207
    items = InboxItem.objects.filter(account=account)
    assert items.filter(kind="comment", conversation__external_id=post_id).count() == 205
    assert items.filter(kind="mention").count() == 2
    assert InboxSource.objects.get(account=account).cursor


def test_weibo_duplicate_delivery_edit_deletion_and_our_reply(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "weibo")
    post_id = _our_post(account)
    kept = _fan(platform_sim, account, "comment", 1, post_id=post_id, text="什么时候发货？")
    gone = _fan(platform_sim, account, "comment", 2, post_id=post_id, text="垃圾")
    inbox_poll_account(account.pk)
    # when: the same comments again, one edited, one deleted, and our reply made on the platform
    platform_sim.fan_edits("weibo", kept["id"], "什么时候发货？急！")
    platform_sim.fan_deletes("weibo", gone["id"])
    platform_sim.fan_writes(
        "weibo",
        account.external_id,
        kind="reply",
        text="明天发货",
        author_id=account.external_id,
        post_id=post_id,
        parent_id=kept["id"],
    )
    again = inbox_poll_account(account.pk)
    # then
    assert (again.created, again.edited, again.removed) == (1, 1, 1)
    edited = InboxItem.objects.get(account=account, external_id=kept["id"])
    assert edited.text == "什么时候发货？急！" and edited.edited_at is not None
    assert edited.answered_at is not None  # our reply answered it
    assert InboxItem.objects.get(account=account, external_id=gone["id"]).removed_at is not None
    assert InboxItem.objects.get(account=account, from_us=True).parent_external_id == kept["id"]
    # and a third read changes nothing
    third = inbox_poll_account(account.pk)
    assert (third.created, third.edited, third.removed) == (0, 0, 0)


# --- X: the mentions timeline ---


def test_x_reads_every_page_of_mentions_and_since_id_delivers_each_once(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "x")
    for n in range(105):  # past one page of 100
        _fan(platform_sim, account, "mention", n, text=f"@brand question {n}")
    _fan(platform_sim, account, "comment", 500, text="@brand love this post", post_id="1400000000000000777")
    # when
    first = inbox_poll_account(account.pk)
    _fan(platform_sim, account, "mention", 600, text="@brand one more")
    second = inbox_poll_account(account.pk)
    # then
    assert first.created == 106 and second.created == 1 and second.duplicates == 0
    comment = InboxItem.objects.get(account=account, kind="comment")
    assert comment.conversation.external_id == "1400000000000000777" and comment.fan.followers == 5000


# --- YouTube: commentThreads ---


def test_youtube_reads_every_page_of_comment_threads_with_edits_and_deletions(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "youtube")
    comments = [
        _fan(platform_sim, account, "comment", n, text=f"Great video {n}", post_id="vid42")
        for n in range(103)
    ]
    first = inbox_poll_account(account.pk)
    # when: a fan edits, another deletes, the same threads are read again
    platform_sim.fan_edits("youtube", comments[0]["id"], "The audio is terrible and the link is broken")
    platform_sim.fan_deletes("youtube", comments[1]["id"])
    again = inbox_poll_account(account.pk)
    # then
    assert first.created == 103
    assert (again.created, again.edited, again.removed, again.duplicates) == (0, 1, 1, 101)
    assert InboxItem.objects.get(account=account, external_id=comments[0]["id"]).sentiment == "negative"
    assert InboxItem.objects.get(account=account, external_id=comments[1]["id"]).removed_at is not None


# --- Bluesky: listNotifications through the AppView ---


def test_bluesky_reads_mentions_and_replies_across_pages_and_only_new_ones_next_time(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "bluesky")
    for n in range(55):  # past one page of 50
        _fan(platform_sim, account, "mention", n, text=f"@brand hello {n}", author_id=f"did:plc:fan{n:020d}")
    _fan(platform_sim, account, "comment", 77, text="nice post", author_id="did:plc:fan77", post_id="3kpost")
    first = inbox_poll_account(account.pk)
    _fan(platform_sim, account, "mention", 88, text="@brand one more", author_id="did:plc:fan88")
    second = inbox_poll_account(account.pk)
    assert first.created == 56 and second.created == 1
    reply = InboxItem.objects.get(account=account, kind="comment")
    assert reply.conversation.external_id.endswith("/app.bsky.feed.post/3kpost")


def _bluesky_without_appview(platform_sim, workspace):
    from channels_app.connectors.base import Credentials
    from channels_app.tests.factories import SocialAccountFactory

    sim = platform_sim.create_account("bluesky", options={"appview": False})
    account = SocialAccountFactory(
        workspace=workspace,
        platform="bluesky",
        external_id=sim.external_id,
        handle=sim.handle,
        token_expires_at=sim.expires_at,
        credentials=Credentials(
            access_token=sim.access_token,
            refresh_token=sim.refresh_token,
            expires_at=sim.expires_at,
            extra={"handle": sim.handle, "did": sim.external_id},
        ),
    )
    return account


def test_bluesky_without_an_appview_reads_the_pds_repos_with_edits_deletions_and_rate_limits(
    platform_sim, workspace
):
    account = _bluesky_without_appview(platform_sim, workspace)
    post = _our_post(account, "New bike").rsplit("/", 1)[-1]
    reply = _fan(platform_sim, account, "comment", 1, text="Nice", author_id="did:plc:fan1", post_id=post)
    gone = _fan(platform_sim, account, "comment", 2, text="meh", author_id="did:plc:fan2", post_id=post)
    _fan(platform_sim, account, "mention", 3, text=f"@{account.handle} hello", author_id="did:plc:fan3")
    # when
    first = inbox_poll_account(account.pk)
    platform_sim.fan_edits("bluesky", reply["id"], "Nice, but the brakes squeak")
    platform_sim.fan_deletes("bluesky", gone["id"])
    second = inbox_poll_account(account.pk)
    reads = platform_sim.requests("bluesky", "list")
    quiet = inbox_poll_account(account.pk)  # no repo changed: listRepos only, no listRecords
    assert (quiet.created, quiet.edited, quiet.removed) == (0, 0, 0)
    assert reads > 0 and platform_sim.requests("bluesky", "list") == reads
    platform_sim.add_fault("rate_limit", platform="bluesky", operation="list", retry_after=60)
    _fan(platform_sim, account, "comment", 4, text="more", author_id="did:plc:fan1", post_id=post)
    third = inbox_poll_account(account.pk)
    # then
    assert first.created == 3 and (second.created, second.edited, second.removed) == (0, 1, 1)
    assert InboxSource.objects.get(account=account).cursor.startswith('{"mode":"pds"')
    comment = InboxItem.objects.get(
        account=account, external_id=f"at://did:plc:fan1/app.bsky.feed.post/{reply['id']}"
    )
    assert comment.kind == "comment" and comment.conversation.external_id.endswith(
        f"/app.bsky.feed.post/{post}"
    )
    assert comment.text == "Nice, but the brakes squeak" and comment.fan.handle == "fan1"
    assert (
        InboxItem.objects.get(account=account, external_id__endswith=f"/{gone['id']}").removed_at is not None
    )
    assert InboxItem.objects.get(account=account, kind="mention").conversation.kind == "mention"
    assert third.status == "waiting" and InboxItem.objects.filter(account=account).count() == 3


# --- Mastodon: notifications (mention, update) ---


def test_mastodon_reads_past_one_page_and_since_id_delivers_each_once(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    for n in range(45):  # past one page of 40
        _fan(platform_sim, account, "mention", n, text=f"@brand question {n}")
    _fan(platform_sim, account, "direct_message", 99, text="Private: my order is late")
    # when
    first = inbox_poll_account(account.pk)
    second = inbox_poll_account(account.pk)
    # then
    assert first.created == 46 and second.created == 0 and second.duplicates == 0
    dm = InboxItem.objects.get(account=account, kind="direct_message")
    assert dm.conversation.kind == "direct" and dm.sentiment == "negative"


def test_mastodon_edit_arrives_as_an_update_and_a_replayed_cursor_is_absorbed(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    fan = _fan(platform_sim, account, "mention", 1, text="@brand love it")
    inbox_poll_account(account.pk)
    # when
    platform_sim.fan_edits("mastodon", fan["id"], "@brand love it, but it broke")
    edited = inbox_poll_account(account.pk)
    InboxSource.objects.filter(account=account).update(cursor="")  # a crash before the cursor was saved
    replay = inbox_poll_account(account.pk)
    # then
    assert edited.edited == 1
    assert InboxItem.objects.get(account=account).text == "@brand love it, but it broke"
    assert replay.created == 0 and replay.duplicates == 2


def test_a_rate_limit_moves_the_next_poll_past_retry_after_and_blocks_the_gate(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    platform_sim.add_fault("rate_limit", platform="mastodon", operation="inbox_notifications", retry_after=90)
    # when
    result = inbox_poll_account(account.pk)
    # then
    assert result.status == "waiting"
    source = InboxSource.objects.get(account=account)
    from django.utils import timezone

    assert (source.next_poll_at - timezone.now()).total_seconds() > 80
    assert inbox_poll_account(account.pk).status == "waiting"  # the shared gate holds every worker off
    assert platform_sim.requests("mastodon", "inbox_notifications", account.external_id) == 1


def test_the_planner_claims_each_due_account_once(
    platform_sim, workspace, django_capture_on_commit_callbacks
):
    weibo, _ = sim_account(platform_sim, workspace, "weibo")
    tiktok, _ = sim_account(platform_sim, workspace, "tiktok")  # no inbound polling there yet
    # when
    with django_capture_on_commit_callbacks(execute=False):
        first = inbox_polls_plan()
        second = inbox_polls_plan()
    # then
    assert weibo.pk in first and weibo.pk not in second and tiktok.pk not in first
