"""Contract tests of the Meta replies against the simulator: Facebook comment replies (with an image),
Instagram comment replies, Messenger and Instagram DMs inside 24 hours (RESPONSE), up to 7 days (the
HUMAN_AGENT tag) and refused after that before any call; a 4xx mapped to a failed reply with the platform's
reason, a 429 honoured through Retry-After, and an image refused on a platform that cannot take one."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import ValidationFailed
from inbox.models import InboxItem, InboxReply
from inbox.services import inbox_message_ingest, inbox_reply_send
from inbox.services.replies import inbox_reply_deliver
from inbox.tests.factories import (
    library_image,
    open_gate,  # noqa: E402, F401  (the fixture, used by name below)
)
from publishing.tests.pipeline_kit import sim_account

from .factories import InboxItemFactory, message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("open_gate")]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _fan_item(platform_sim, workspace, platform, *, kind="comment", hours_ago=0.0, text="Where is my order?"):
    """A fan writes on the simulator; the inbox holds the same message (as the webhook delivers it)."""
    account, _sim = sim_account(platform_sim, workspace, platform)
    written = time.time() - hours_ago * 3600
    fan = platform_sim.fan_writes(
        platform,
        account.external_id,
        kind=kind,
        text=text,
        author_id="9001",
        author_name="Ann",
        post_id="dm:9001" if kind == "direct_message" else f"{account.external_id}_77",
        created_at=written,
    )
    item = inbox_message_ingest(
        account=account,
        message=message(
            fan["id"],
            text=text,
            author="9001",
            kind=kind,
            thread=fan["post_id"],
            at=datetime.fromtimestamp(written, UTC),
        ),
    ).item
    return account, item, fan


def _ours(platform_sim, platform, account):
    return [
        m
        for m in platform_sim.fan_messages(platform, account.external_id)
        if m["author_id"] == account.external_id
    ]


def test_a_facebook_comment_reply_with_an_image_lands_once_under_the_fans_comment(
    platform_sim, workspace, run_on_commit
):
    account, item, fan = _fan_item(platform_sim, workspace, "facebook")
    image = library_image(workspace)
    # when
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace,
            actor=UserFactory(),
            item=item,
            text="It ships today.",
            version=1,
            media=image,
        )
    # then
    reply.refresh_from_db()
    assert reply.status == "sent", reply.error
    landed = _ours(platform_sim, "facebook", account)
    assert [(m["parent_id"], m["text"]) for m in landed] == [(fan["id"], "It ships today.")]
    assert landed[0]["attachment_url"].endswith(image.file.name.split("/")[-1])
    assert InboxItem.objects.get(account=account, from_us=True).external_id == reply.external_id
    assert platform_sim.requests("facebook", "reply", account.external_id) == 1


def test_an_instagram_comment_reply_goes_to_the_replies_edge(platform_sim, workspace, run_on_commit):
    account, item, fan = _fan_item(platform_sim, workspace, "instagram")
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="Thanks!", version=1
        )
    reply.refresh_from_db()
    assert reply.status == "sent", reply.error
    assert [(m["parent_id"], m["text"]) for m in _ours(platform_sim, "instagram", account)] == [
        (fan["id"], "Thanks!")
    ]


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
@pytest.mark.parametrize(
    ("hours_ago", "messaging_type", "tag"), [(2, "RESPONSE", ""), (30, "MESSAGE_TAG", "HUMAN_AGENT")]
)
def test_a_dm_reply_is_a_response_inside_24_hours_and_a_human_agent_message_up_to_7_days(
    platform_sim, workspace, run_on_commit, platform, hours_ago, messaging_type, tag
):
    account, item, _fan = _fan_item(
        platform_sim, workspace, platform, kind="direct_message", hours_ago=hours_ago
    )
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="Hello Ann", version=1
        )
    reply.refresh_from_db()
    assert reply.status == "sent", reply.error
    landed = _ours(platform_sim, platform, account)
    assert [
        (m["text"], m["extra"]["messaging_type"], m["extra"]["tag"], m["extra"]["recipient"]) for m in landed
    ] == [("Hello Ann", messaging_type, tag, "9001")]
    assert reply.external_id == f"m_{landed[0]['id']}"


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_a_dm_reply_after_7_days_is_refused_with_the_reason_before_any_call(
    platform_sim, workspace, platform
):
    account, item, _fan = _fan_item(
        platform_sim, workspace, platform, kind="direct_message", hours_ago=8 * 24
    )
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="Sorry!", version=1)
    assert error.value.code == "reply_window_closed" and "7 days" in error.value.message
    assert "text" in error.value.fields
    assert not InboxReply.objects.exists()
    assert platform_sim.requests(platform, "", account.external_id) == 0


def test_a_window_that_closed_while_the_reply_waited_fails_it_before_any_call(platform_sim, workspace):
    account, item, _fan = _fan_item(platform_sim, workspace, "facebook", kind="direct_message", hours_ago=2)
    reply = inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="Hello", version=1)
    # the fan's message is now 8 days old (the reply waited for approval or Retry-After)
    InboxItem.objects.filter(pk=item.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert inbox_reply_deliver(reply.pk) == "window_closed"
    reply.refresh_from_db()
    assert reply.status == "failed" and "7 days" in reply.error
    assert platform_sim.requests("facebook", "reply", account.external_id) == 0


def test_a_reply_to_a_comment_the_fan_deleted_fails_with_the_platforms_reason(
    platform_sim, workspace, run_on_commit
):
    account, item, fan = _fan_item(platform_sim, workspace, "facebook")
    platform_sim.fan_deletes("facebook", fan["id"])
    with run_on_commit():
        reply = inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="Hi", version=1)
    reply.refresh_from_db()
    assert reply.status == "failed" and "does not exist" in reply.error
    assert [a.outcome for a in reply.attempts.all()] == ["rejected"]


def test_a_rate_limited_reply_waits_for_retry_after(platform_sim, workspace, run_on_commit):
    account, item, _fan = _fan_item(platform_sim, workspace, "facebook")
    platform_sim.add_fault("rate_limit", platform="facebook", operation="reply", retry_after=240, count=1)
    with run_on_commit():
        reply = inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="Hi", version=1)
    reply.refresh_from_db()
    assert reply.status == "queued" and (reply.not_before - timezone.now()).total_seconds() > 200
    assert not _ours(platform_sim, "facebook", account)


def test_an_image_is_refused_on_media_where_the_platform_cannot_take_one(workspace):
    item = InboxItemFactory(
        conversation__account__workspace=workspace, conversation__account__platform="instagram"
    )
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(
            workspace=workspace,
            actor=UserFactory(),
            item=item,
            text="Look",
            version=1,
            media=library_image(workspace),
        )
    assert error.value.code == "reply_media_not_supported" and "media" in error.value.fields
    assert not InboxReply.objects.exists()


def test_the_item_page_offers_library_images_where_the_platform_takes_one(platform_sim, workspace, client):
    from django.urls import reverse

    from accounts.roles import Role
    from accounts.tests.factories import WorkspaceMemberFactory

    account, item, _fan = _fan_item(platform_sim, workspace, "facebook")
    image = library_image(workspace)
    client.force_login(WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user)
    url = reverse("inbox:item", args=[workspace.pk, item.pk])
    assert 'name="media"' in client.get(url).content.decode()
    # when
    response = client.post(url, {"action": "reply", "version": 1, "text": "", "media": image.pk})
    # then: an image alone is a reply
    assert response.status_code == 302
    assert InboxReply.objects.get(item=item).media == image
    # an Instagram item's page has no image choice
    _ig, ig_item, _ = _fan_item(platform_sim, workspace, "instagram")
    assert (
        'name="media"'
        not in client.get(reverse("inbox:item", args=[workspace.pk, ig_item.pk])).content.decode()
    )


def test_a_reply_to_a_comment_hidden_on_instagram_is_refused_before_any_call(platform_sim, workspace):
    from inbox.services import inbox_item_platform_action

    account, item, _fan = _fan_item(platform_sim, workspace, "instagram")
    item = inbox_item_platform_action(
        workspace=workspace, actor=UserFactory(), item=item, action="hide", version=1
    )
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="Hi", version=item.version)
    assert error.value.code == "reply_to_hidden" and "text" in error.value.fields
    assert platform_sim.requests("instagram", "reply", account.external_id) == 0
