"""Replies through the connector against the simulator: sent once and landing there, two people at once,
refusals before any call (reply window, compliance), Retry-After honoured, an unknown outcome never
re-sent, and saved replies with variables."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import BannedWordFactory
from core.errors import Conflict, ValidationFailed
from inbox.models import InboxItem, InboxReply, SavedReply
from inbox.services import inbox_message_ingest, inbox_reply_send, saved_reply_render
from inbox.services.polling import inbox_poll_account
from inbox.services.replies import inbox_replies_dispatch, inbox_reply_deliver
from publishing import ratelimit
from publishing.tests.pipeline_kit import sim_account

from .factories import InboxItemFactory, message

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _weibo_comment(platform_sim, workspace, text="什么时候发货？"):
    from channels_app import vault
    from channels_app.connectors.base import PostPayload
    from channels_app.connectors.registry import connector_for

    account, _sim = sim_account(platform_sim, workspace, "weibo")
    post = connector_for("weibo").publish(
        vault.credentials_read(account), PostPayload(text="新品 https://b.example/1")
    )
    fan = platform_sim.fan_writes(
        "weibo",
        account.external_id,
        kind="comment",
        text=text,
        author_id="7001",
        author_handle="小王",
        post_id=post.external_id,
    )
    inbox_poll_account(account.pk)
    return account, InboxItem.objects.get(account=account, external_id=fan["id"]), fan


def test_a_weibo_reply_is_sent_once_lands_on_the_platform_and_joins_the_thread(
    platform_sim, workspace, run_on_commit
):
    account, item, fan = _weibo_comment(platform_sim, workspace)
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    # when
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=agent, item=item, text="明天发货，谢谢！", version=1
        )
    # then
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.attempts.count() == 1
    landed = [
        m
        for m in platform_sim.fan_messages("weibo", account.external_id)
        if m["author_id"] == account.external_id
    ]
    assert (
        len(landed) == 1 and landed[0]["parent_id"] == fan["id"] and landed[0]["text"] == "明天发货，谢谢！"
    )
    item.refresh_from_db()
    assert item.answered_at is not None and item.answered_by == agent and item.status == "pending"
    ours = InboxItem.objects.get(account=account, from_us=True)
    assert ours.external_id == reply.external_id == landed[0]["id"]
    # and the next poll recognises it rather than adding it again
    inbox_poll_account(account.pk)
    assert InboxItem.objects.filter(account=account, from_us=True).count() == 1
    # and delivering again sends nothing
    assert inbox_reply_deliver(reply.pk) == "not due"
    assert platform_sim.requests("weibo", "reply", account.external_id) == 1


def test_a_mastodon_reply_addresses_the_fan_with_an_idempotency_key(platform_sim, workspace, run_on_commit):
    account, _sim = sim_account(platform_sim, workspace, "mastodon")
    fan = platform_sim.fan_writes(
        "mastodon",
        account.external_id,
        kind="mention",
        text="@brand where is my order?",
        author_id="555",
        author_handle="ann",
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account)
    # when
    with run_on_commit():
        inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="It ships today.", version=1
        )
    # then
    landed = [
        m
        for m in platform_sim.fan_messages("mastodon", account.external_id)
        if m["author_id"] == account.external_id
    ]
    assert [(m["text"], m["parent_id"]) for m in landed] == [("@ann It ships today.", fan["id"])]


def test_two_people_replying_at_once_send_exactly_one_reply_and_the_other_sees_who(
    platform_sim, workspace, transactional_db
):
    """Two real connections race for the same item (no test transaction around them)."""
    account, item, _fan = _weibo_comment(platform_sim, workspace)
    ann = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ann").user
    bob = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Bob").user
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def reply(person, text):
        try:
            barrier.wait()
            outcomes[person.full_name] = inbox_reply_send(
                workspace=workspace, actor=person, item=item, text=text, version=1
            )
        except Conflict as error:
            outcomes[person.full_name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(p, f"{p.full_name} here")) for p in (ann, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: one reply, the other refused naming the first
    sent = [o for o in outcomes.values() if isinstance(o, InboxReply)]
    refused = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert len(sent) == 1 and len(refused) == 1
    assert refused[0].code == "already_answered"
    assert sent[0].author.full_name in refused[0].message
    assert InboxReply.objects.filter(item=item).count() == 1
    for reply_id in InboxReply.objects.values_list("pk", flat=True):
        inbox_reply_deliver(reply_id)
    assert platform_sim.requests("weibo", "reply", account.external_id) == 1


def test_a_wechat_reply_after_48_hours_is_refused_with_the_reason_before_any_call(platform_sim, workspace):
    account, _sim = sim_account(platform_sim, workspace, "wechat_oa")
    old = timezone.now() - timedelta(hours=49)
    item = inbox_message_ingest(
        account=account, message=message("m1", kind="direct_message", thread="dm:oFan", at=old)
    ).item
    # when / then
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="您好", version=1)
    assert error.value.code == "reply_window_closed" and "48" in error.value.message
    assert not InboxReply.objects.exists()
    assert platform_sim.requests("wechat_oa", "", account.external_id) == 0


def test_a_reply_with_a_banned_word_or_an_absolute_claim_is_refused_on_text(workspace):
    item = InboxItemFactory(
        conversation__account__workspace=workspace, conversation__account__platform="mastodon"
    )
    BannedWordFactory(workspace=workspace, word="竞品")
    for text in ("比竞品好", "我们是全网最好的"):
        with pytest.raises(ValidationFailed) as error:
            inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text=text, version=1)
        assert "text" in error.value.fields
    assert not InboxReply.objects.exists()


def test_retry_after_is_honoured_and_an_unknown_outcome_is_never_resent(
    platform_sim, workspace, run_on_commit
):
    account, item, _fan = _weibo_comment(platform_sim, workspace)
    platform_sim.add_fault("rate_limit", platform="weibo", operation="reply", retry_after=120, count=1)
    # when
    with run_on_commit():
        reply = inbox_reply_send(workspace=workspace, actor=UserFactory(), item=item, text="稍等", version=1)
    reply.refresh_from_db()
    # then: back in the queue until Retry-After has passed; the dispatcher does not send it early
    assert reply.status == "queued" and (reply.not_before - timezone.now()).total_seconds() > 100
    assert reply.pk not in inbox_replies_dispatch()
    assert platform_sim.requests("weibo", "reply", account.external_id) == 1
    assert 100 < ratelimit.wait_until([ratelimit.account_scope(account.pk)]) <= 125  # every worker waits
    # when Retry-After has passed and the platform then times out after receiving it
    gate = ratelimit.gate().client
    gate.delete(ratelimit.gate()._key("block", ratelimit.account_scope(account.pk)))
    InboxReply.objects.filter(pk=reply.pk).update(not_before=None)
    platform_sim.add_fault("timeout_after", platform="weibo", operation="reply", seconds=15, count=1)
    from django.test import override_settings

    with override_settings(PLATFORM_HTTP_TIMEOUT=1.0):
        assert inbox_reply_deliver(reply.pk) == "unknown"
    # then it is never sent again by itself
    assert reply.pk not in inbox_replies_dispatch()
    assert inbox_reply_deliver(reply.pk) == "not due"
    assert [a.outcome for a in InboxReply.objects.get(pk=reply.pk).attempts.all()] == [
        "rate_limited",
        "unknown",
    ]


def test_saved_replies_fill_in_their_variables():
    item = InboxItemFactory(fan__display_name="小王", fan__handle="xw")
    agent = UserFactory(full_name="Ann")
    saved = SavedReply(
        workspace=item.workspace, name="Ship", body="{fan}（@{fan_handle}）您好，我是{agent}。{unknown}"
    )
    assert saved_reply_render(saved, item=item, agent=agent) == "小王（@xw）您好，我是Ann。{unknown}"


def test_a_bilibili_item_cannot_be_answered_yet_and_says_so():
    item = InboxItemFactory(conversation__account=SocialAccountFactory(platform="bilibili"))
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(workspace=item.workspace, actor=UserFactory(), item=item, text="Hi", version=1)
    assert error.value.code == "reply_not_supported"


def test_saved_replies_take_the_chinese_variable_names_too():
    item = InboxItemFactory(fan__display_name="小王")
    saved = SavedReply(workspace=item.workspace, name="发货", body="{粉丝}您好，我是{客服}。")
    assert saved_reply_render(saved, item=item, agent=UserFactory(full_name="小李")) == "小王您好，我是小李。"


def test_a_wechat_customer_service_reply_in_the_window_lands_and_the_sixth_is_refused_before_any_call(
    platform_sim, workspace, run_on_commit
):
    from channels_app.connectors.registry import connector_for as connector_of

    sim = platform_sim.create_account("wechat_oa")
    tokens = connector_of("wechat_oa").connect_with_credentials(appid=sim.app_id, secret=sim.app_secret)
    from channels_app.connectors.base import Credentials

    account = SocialAccountFactory(
        workspace=workspace,
        platform="wechat_oa",
        external_id=sim.external_id,
        credentials=Credentials(
            access_token=tokens.access_token, expires_at=tokens.expires_at, extra=tokens.extra
        ),
    )
    platform_sim.fan_writes(
        "wechat_oa", sim.external_id, kind="direct_message", text="在吗？", author_id="oFan9"
    )
    item = inbox_message_ingest(
        account=account,
        message=message("wx1", kind="direct_message", thread="dm:oFan9", author="oFan9", at=timezone.now()),
    ).item
    agent = UserFactory()
    # when: five answers go out
    for n in range(5):
        item.refresh_from_db()
        with run_on_commit():
            inbox_reply_send(
                workspace=workspace, actor=agent, item=item, text=f"您好 {n}", version=item.version
            )
    # then
    assert list(InboxReply.objects.values_list("status", flat=True)) == ["sent"] * 5
    landed = [
        m
        for m in platform_sim.fan_messages("wechat_oa", sim.external_id)
        if m["author_id"] == sim.external_id
    ]
    assert len(landed) == 5 and {m["parent_id"] for m in landed} == {"oFan9"}
    # and the sixth is refused by WeChat's rule before any call
    item.refresh_from_db()
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(workspace=workspace, actor=agent, item=item, text="还有一件事", version=item.version)
    assert error.value.code == "reply_window_closed"
    assert platform_sim.requests("wechat_oa", "reply", sim.external_id) == 5


def test_an_x_reply_answers_the_mention_once_and_the_next_poll_knows_it(
    platform_sim, workspace, run_on_commit
):
    account, _sim = sim_account(platform_sim, workspace, "x")
    fan = platform_sim.fan_writes(
        "x",
        account.external_id,
        kind="mention",
        text="@brand is the store open?",
        author_id="901",
        author_handle="kim",
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    # when
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="Open until 9.", version=1
        )
    # then: one post on X answering the mention, and it joins the thread as ours
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.attempts.count() == 1
    landed = [
        m
        for m in platform_sim.fan_messages("x", account.external_id)
        if m["author_id"] == account.external_id
    ]
    assert [(m["text"], m["parent_id"], m["id"]) for m in landed] == [
        ("Open until 9.", fan["id"], reply.external_id)
    ]
    inbox_poll_account(account.pk)
    assert InboxItem.objects.filter(account=account, from_us=True).count() == 1
    assert inbox_reply_deliver(reply.pk) == "not due"


def test_a_youtube_reply_lands_in_the_fans_thread_and_is_not_taken_for_a_deletion(
    platform_sim, workspace, run_on_commit
):
    account, _sim = sim_account(platform_sim, workspace, "youtube")
    fan = platform_sim.fan_writes(
        "youtube",
        account.external_id,
        kind="comment",
        text="Which lens is this?",
        author_id="UCfan1",
        post_id="vid7",
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=fan["id"])
    # when
    with run_on_commit():
        reply = inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="A 35 mm f/1.4.", version=1
        )
    # then: comments.insert in the fan's thread, once
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.attempts.count() == 1
    landed = [
        m
        for m in platform_sim.fan_messages("youtube", account.external_id)
        if m["author_id"] == account.external_id
    ]
    assert [(m["text"], m["parent_id"], m["post_id"], m["id"]) for m in landed] == [
        ("A 35 mm f/1.4.", fan["id"], "vid7", reply.external_id)
    ]
    # and the next read of the (complete) thread, which lists top-level comments only, keeps our reply
    inbox_poll_account(account.pk)
    ours = InboxItem.objects.get(account=account, from_us=True)
    assert ours.external_id == reply.external_id and ours.removed_at is None
    assert platform_sim.requests("youtube", "reply", account.external_id) == 1


def test_a_bluesky_reply_goes_under_the_fans_post_in_our_posts_thread(platform_sim, workspace, run_on_commit):
    from channels_app import vault
    from channels_app.connectors.base import PostPayload
    from channels_app.connectors.registry import connector_for

    account, _sim = sim_account(platform_sim, workspace, "bluesky")
    ours = connector_for("bluesky").publish(vault.credentials_read(account), PostPayload(text="New bike"))
    fan = platform_sim.fan_writes(
        "bluesky",
        account.external_id,
        kind="comment",
        text="When does it ship?",
        author_id="did:plc:fan0000000000000000001",
        author_handle="fan.bsky.social",
        post_id=ours.external_id.rsplit("/", 1)[-1],
    )
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account)
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    # when
    with run_on_commit():
        reply = inbox_reply_send(workspace=workspace, actor=agent, item=item, text="Next week!", version=1)
    # then: one post from us, answering the fan's, and its record carries both strong refs
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.external_id.startswith(f"at://{account.external_id}/")
    landed = [
        m
        for m in platform_sim.fan_messages("bluesky", account.external_id)
        if m["author_id"] == account.external_id
    ]
    assert len(landed) == 1 and landed[0]["parent_id"] == fan["id"] and landed[0]["text"] == "Next week!"
    repo, collection, rkey = reply.external_id.removeprefix("at://").split("/")
    record = connector_for("bluesky")._xrpc(
        "GET",
        "com.atproto.repo.getRecord",
        operation="lookup",
        params={"repo": repo, "collection": collection, "rkey": rkey},
    )["value"]
    assert record["reply"]["root"]["uri"] == ours.external_id
    assert (
        record["reply"]["parent"]["uri"]
        == item.external_id
        == f"at://{fan['author_id']}/{collection}/{fan['id']}"
    )
    # and a reply over 300 graphemes is refused before any call
    with pytest.raises(ValidationFailed) as too_long:
        inbox_reply_send(
            workspace=workspace, actor=agent, item=item, text="é" * 301, version=item.version + 1
        )
    assert "300" in str(too_long.value)
