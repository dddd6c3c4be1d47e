"""LinkedIn comments against the simulator (Comments API): first-level and nested comments read past one
page, a re-poll that changes nothing, a fan's edit and deletion, our organization's reply recognised as
ours, the reply call itself, and a 429 whose Retry-After holds every worker off."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from channels_app import vault
from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.registry import connector_for
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboxItem, InboxSource
from inbox.services import inbox_reply_send
from inbox.services.polling import inbox_poll_account
from publishing import ratelimit

pytestmark = pytest.mark.django_db
ORG = "urn:li:organization:2414183"


@pytest.fixture
def org_account(platform_sim, workspace):
    """A member who posts as the organization page they administer (Credentials.extra["author"])."""
    sim = platform_sim.create_account("linkedin", options={"organizations": [ORG]})
    account = SocialAccountFactory(
        workspace=workspace,
        platform="linkedin",
        external_id=sim.external_id,
        handle=sim.handle,
        token_expires_at=sim.expires_at,
        credentials=Credentials(
            access_token=sim.access_token,
            refresh_token=sim.refresh_token,
            expires_at=sim.expires_at,
            extra={"author": ORG},
        ),
    )
    # The gate lives in Redis, outside the test database: a block left by an earlier run's account with
    # the same id (ids restart with each test database) must not hold this one off.
    gate = ratelimit.gate()
    gate.client.delete(gate._key("block", ratelimit.account_scope(account.pk)))
    return account


def _our_post(account, text="Our new product (launch day)") -> str:
    return (
        connector_for("linkedin").publish(vault.credentials_read(account), PostPayload(text=text)).external_id
    )


def _fan(platform_sim, account, n, post, **fields):
    return platform_sim.fan_writes(
        "linkedin",
        account.external_id,
        kind=fields.pop("kind", "comment"),
        text=fields.pop("text", f"Comment {n}: great"),
        author_id=fields.pop("author_id", f"urn:li:person:fan{n}"),
        post_id=post,
        **fields,
    )


def _urn(post: str, message: dict) -> str:
    return f"urn:li:comment:({post},{message['id']})"


def test_linkedin_reads_every_page_of_comments_and_nested_ones(platform_sim, org_account):
    account = org_account
    post = _our_post(account)
    comments = [_fan(platform_sim, account, n, post) for n in range(105)]  # past one page of 100
    nested = _fan(platform_sim, account, 900, post, kind="reply", parent_id=comments[3]["id"], text="Same!")
    # when
    first = inbox_poll_account(account.pk)
    again = inbox_poll_account(account.pk)
    # then: every comment once, the nested one in its parent's thread; a re-read changes nothing
    assert first.status == "done" and first.created == 106
    assert (again.created, again.edited, again.removed, again.duplicates) == (0, 0, 0, 106)
    item = InboxItem.objects.get(account=account, external_id=_urn(post, nested))
    assert item.kind == "reply" and item.parent_external_id == _urn(post, comments[3])
    assert item.conversation.external_id == post and item.fan.external_id == "urn:li:person:fan900"
    assert InboxItem.objects.filter(account=account, conversation__external_id=post).count() == 106
    # the paging is offset paging with count=100: 2 pages of the post, 1 under the commented comment
    assert platform_sim.requests("linkedin", "inbox_comments", account.external_id) == 6


def test_linkedin_edit_deletion_and_our_organizations_reply(platform_sim, org_account):
    account = org_account
    post = _our_post(account)
    kept = _fan(platform_sim, account, 1, post, text="When does it ship?")
    gone = _fan(platform_sim, account, 2, post, text="Spam spam")
    inbox_poll_account(account.pk)
    # when: a fan edits, another deletes, and our page answers on LinkedIn itself
    platform_sim.fan_edits("linkedin", kept["id"], "When does it ship? The site is broken and terrible")
    platform_sim.fan_deletes("linkedin", gone["id"])
    ours = _fan(
        platform_sim, account, 3, post, kind="reply", author_id=ORG, parent_id=kept["id"], text="Monday!"
    )
    again = inbox_poll_account(account.pk)
    # then
    assert (again.created, again.edited, again.removed) == (1, 1, 1)
    edited = InboxItem.objects.get(account=account, external_id=_urn(post, kept))
    assert edited.text.endswith("broken and terrible") and edited.edited_at is not None
    assert edited.sentiment == "negative" and edited.answered_at is not None
    assert InboxItem.objects.get(account=account, external_id=_urn(post, gone)).removed_at is not None
    mine = InboxItem.objects.get(account=account, from_us=True)
    assert mine.external_id == _urn(post, ours) and mine.fan is None
    # and a third read changes nothing
    third = inbox_poll_account(account.pk)
    assert (third.created, third.edited, third.removed) == (0, 0, 0)


def test_linkedin_reply_to_a_nested_comment_goes_into_its_thread_once_and_is_recognised(
    platform_sim, org_account, django_capture_on_commit_callbacks
):
    account = org_account
    post = _our_post(account)
    top = _fan(platform_sim, account, 1, post, text="Is there a discount?")
    below = _fan(platform_sim, account, 2, post, kind="reply", parent_id=top["id"], text="Asking too")
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=_urn(post, below))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbox_reply_send(
            workspace=account.workspace, actor=UserFactory(), item=item, text="10% today", version=1
        )
    # then: one comment as the organization, under the first-level comment (threads are two levels)
    reply.refresh_from_db()
    assert reply.status == "sent" and reply.attempts.count() == 1
    landed = [m for m in platform_sim.fan_messages("linkedin", account.external_id) if m["author_id"] == ORG]
    assert [(m["text"], m["parent_id"], m["post_id"]) for m in landed] == [("10% today", top["id"], post)]
    assert reply.external_id == _urn(post, landed[0])
    # and the next poll knows it as ours, never as a fan's comment or a deletion
    again = inbox_poll_account(account.pk)
    assert again.created == 0 and again.removed == 0
    mine = InboxItem.objects.get(account=account, from_us=True)
    assert mine.external_id == reply.external_id and mine.removed_at is None
    assert platform_sim.requests("linkedin", "reply", account.external_id) == 1


def test_linkedin_rate_limit_moves_the_next_poll_past_retry_after(platform_sim, org_account):
    account = org_account
    _our_post(account)
    platform_sim.add_fault("rate_limit", platform="linkedin", operation="inbox_comments", retry_after=120)
    # when
    result = inbox_poll_account(account.pk)
    # then
    assert result.status == "waiting"
    source = InboxSource.objects.get(account=account)
    assert (source.next_poll_at - timezone.now()).total_seconds() > 110
    assert inbox_poll_account(account.pk).status == "waiting"  # the shared gate holds every worker off
    assert platform_sim.requests("linkedin", "inbox_comments", account.external_id) == 1


def test_linkedin_listing_cut_by_the_page_cap_marks_no_deletions(platform_sim, org_account, monkeypatch):
    from channels_app.connectors.linkedin import inbound

    account = org_account
    post = _our_post(account)
    comments = [_fan(platform_sim, account, n, post) for n in range(6)]
    monkeypatch.setattr(inbound, "PAGE_SIZE", 2)
    monkeypatch.setattr(inbound, "MAX_PAGES", 2)  # 4 of the 6 comments: the listing is not complete
    first = inbox_poll_account(account.pk)
    # when: the first comment is deleted, and the (still cut) listing is read again
    platform_sim.fan_deletes("linkedin", comments[0]["id"])
    again = inbox_poll_account(account.pk)
    # then: what was not listed is not taken for deleted, because the listing was cut
    assert first.created == 4 and again.removed == 0
    assert not InboxItem.objects.filter(account=account, removed_at__isnull=False).exists()


def test_linkedin_reply_waits_for_retry_after_and_is_sent_once_later(
    platform_sim, org_account, django_capture_on_commit_callbacks
):
    from inbox.services.replies import inbox_replies_dispatch

    account = org_account
    post = _our_post(account)
    fan = _fan(platform_sim, account, 1, post, text="Price?")
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=_urn(post, fan))
    platform_sim.add_fault("rate_limit", platform="linkedin", operation="reply", retry_after=120, count=1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbox_reply_send(
            workspace=account.workspace, actor=UserFactory(), item=item, text="$10", version=1
        )
    # then: queued until Retry-After, nothing landed, and the dispatcher does not send it early
    reply.refresh_from_db()
    assert reply.status == "queued" and (reply.not_before - timezone.now()).total_seconds() > 100
    assert reply.pk not in inbox_replies_dispatch()
    assert [
        m for m in platform_sim.fan_messages("linkedin", account.external_id) if m["author_id"] == ORG
    ] == []


def test_linkedin_a_deleted_nested_comment_is_marked_removed_even_when_none_is_left(
    platform_sim, org_account
):
    account = org_account
    post = _our_post(account)
    top = _fan(platform_sim, account, 1, post, text="Nice")
    below = _fan(platform_sim, account, 2, post, kind="reply", parent_id=top["id"], text="Agreed")
    inbox_poll_account(account.pk)
    # when: the only nested comment is deleted, so its parent's summary says 0 and it is not read
    platform_sim.fan_deletes("linkedin", below["id"])
    again = inbox_poll_account(account.pk)
    # then
    assert (again.created, again.removed) == (0, 1)
    assert InboxItem.objects.get(account=account, external_id=_urn(post, below)).removed_at is not None
    assert InboxItem.objects.get(account=account, external_id=_urn(post, top)).removed_at is None
