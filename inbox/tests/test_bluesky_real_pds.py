"""Acceptance (issue 16): Bluesky mentions and replies through the inbox against Bluesky's own PDS
(tests/peers/bluesky_pds.py). A lone PDS has no AppView: listNotifications is refused there, so the
connector reads the PDS's repos (com.atproto.sync.listRepos + com.atproto.repo.listRecords). Nothing is
mocked; a second account (the fan) writes real records with the PDS's own XRPC calls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.registry import connector_for
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboxItem, InboxSource
from inbox.services import inbox_reply_send
from inbox.services.polling import inbox_poll_account

pytestmark = pytest.mark.django_db

POST = "app.bsky.feed.post"


@pytest.fixture
def pds(bluesky_pds, settings):
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "bluesky": {
            **settings.PLATFORMS["bluesky"],
            "base_url": bluesky_pds.pds_url,
            "auth_url": bluesky_pds.pds_url,
        },
    }
    return bluesky_pds


class Writer:
    """A Bluesky account writing records with plain XRPC calls, as any client would."""

    def __init__(self, pds, account):
        self.pds, self.account = pds, account
        session = pds.xrpc(
            "POST",
            "com.atproto.server.createSession",
            json={"identifier": account.handle, "password": account.app_password},
        )
        assert session.status_code == 200, session.text
        self.token = session.json()["accessJwt"]

    def post(self, text: str, *, reply_to: dict | None = None, root: dict | None = None, facets=None) -> dict:
        record: dict = {
            "$type": POST,
            "text": text,
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if reply_to:
            record["reply"] = {"root": root or reply_to, "parent": reply_to}
        if facets:
            record["facets"] = facets
        response = self.pds.xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            token=self.token,
            json={"repo": self.account.did, "collection": POST, "record": record},
        )
        assert response.status_code == 200, response.text
        return {"uri": response.json()["uri"], "cid": response.json()["cid"]}

    def delete(self, uri: str) -> None:
        response = self.pds.xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            token=self.token,
            json={"repo": self.account.did, "collection": POST, "rkey": uri.rsplit("/", 1)[-1]},
        )
        assert response.status_code == 200, response.text


def _record(pds, uri: str) -> dict:
    repo, collection, rkey = uri[len("at://") :].split("/")
    response = pds.xrpc(
        "GET", "com.atproto.repo.getRecord", params={"repo": repo, "collection": collection, "rkey": rkey}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _brand_account(pds, workspace, name: str):
    """Our brand's account on the PDS, connected the way the product connects it (app password)."""
    brand = pds.create_account(name)
    connector = connector_for("bluesky")
    tokens = connector.connect_with_credentials(identifier=brand.handle, password=brand.app_password)
    connector.close()
    account = SocialAccountFactory(
        workspace=workspace,
        platform="bluesky",
        external_id=brand.did,
        handle=brand.handle,
        token_expires_at=tokens.expires_at,
        credentials=Credentials(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=tokens.expires_at,
            refresh_expires_at=tokens.refresh_expires_at,
            extra=dict(tokens.extra),
        ),
    )
    return brand, account


def _mention_facet(text: str, handle: str, did: str) -> list[dict]:
    start = text.encode().index(f"@{handle}".encode())
    return [
        {
            "index": {"byteStart": start, "byteEnd": start + len(f"@{handle}".encode())},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        }
    ]


def test_a_fans_reply_and_mention_arrive_once_a_deletion_is_seen_and_our_reply_lands(
    pds, workspace, django_capture_on_commit_callbacks
):
    # given: our post on the PDS (published by the connector), and a fan on the same PDS
    brand, account = _brand_account(pds, workspace, "brandinbox")
    from channels_app import vault

    connector = connector_for("bluesky")
    ours = connector.publish(vault.credentials_read(account), PostPayload(text="Our new bike is out"))
    connector.close()
    fan = Writer(pds, pds.create_account("faninbox"))
    our_post = {"uri": ours.external_id, "cid": ours.raw["cid"]}
    reply = fan.post("Love it! When does it ship?", reply_to=our_post)
    regretted = fan.post("Wrong thread, sorry", reply_to=our_post)
    text = f"Has anyone tried @{brand.handle} bikes?"
    mention = fan.post(text, facets=_mention_facet(text, brand.handle, brand.did))
    fan.post("Just a post about my day")  # neither a reply to us nor a mention: not ours to answer

    # when
    first = inbox_poll_account(account.pk)
    again = inbox_poll_account(account.pk)

    # then: both items, in the right conversations, from the fan, once
    assert first.status == "done" and first.created == 3, first
    assert (again.created, again.edited, again.removed) == (0, 0, 0)
    comment = InboxItem.objects.get(account=account, external_id=reply["uri"])
    assert comment.kind == "comment" and comment.conversation.external_id == our_post["uri"]
    assert comment.fan.external_id == fan.account.did and comment.fan.handle == fan.account.handle
    assert comment.text == "Love it! When does it ship?" and not comment.from_us
    mentioned = InboxItem.objects.get(account=account, external_id=mention["uri"])
    assert mentioned.kind == "mention" and mentioned.conversation.external_id == mention["uri"]
    assert InboxSource.objects.get(account=account).cursor.startswith('{"mode":"pds"')

    # when: an agent answers the reply through the inbox
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR).user
    with django_capture_on_commit_callbacks(execute=True):
        sent = inbox_reply_send(
            workspace=workspace, actor=agent, item=comment, text="Next week! Thanks", version=comment.version
        )
    sent.refresh_from_db()

    # then: a record in our repo with the right reply refs
    assert sent.status == "sent", (sent.status, sent.error)
    landed = _record(pds, sent.external_id)
    assert sent.external_id.startswith(f"at://{brand.did}/{POST}/")
    assert landed["value"]["text"] == "Next week! Thanks"
    assert landed["value"]["reply"]["root"] == our_post
    assert landed["value"]["reply"]["parent"] == reply

    # when: the fan deletes the reply, answers our answer, and we poll
    fan.delete(regretted["uri"])
    nested = fan.post(
        "Great, thanks!", reply_to={"uri": sent.external_id, "cid": landed["cid"]}, root=our_post
    )
    after = inbox_poll_account(account.pk)

    # then: the deleted reply is removed, our answer is ours, the nested reply is in our post's thread
    assert (after.created, after.removed) == (1, 1), after
    assert InboxItem.objects.get(account=account, external_id=regretted["uri"]).removed_at is not None
    assert InboxItem.objects.get(account=account, external_id=mention["uri"]).removed_at is None
    answer = InboxItem.objects.get(account=account, external_id=sent.external_id)
    assert answer.from_us and answer.conversation_id == comment.conversation_id
    nested_item = InboxItem.objects.get(account=account, external_id=nested["uri"])
    assert nested_item.conversation_id == comment.conversation_id
    assert nested_item.parent_external_id == sent.external_id
    comment.refresh_from_db()
    assert comment.answered_at is not None


def test_an_answer_to_a_mention_starts_from_it_and_an_edit_is_seen(pds, workspace):
    # given
    brand, account = _brand_account(pds, workspace, "brandmention")
    fan = Writer(pds, pds.create_account("fanmention"))
    text = f"@{brand.handle} my order is late"
    mention = fan.post(text, facets=_mention_facet(text, brand.handle, brand.did))
    stranger = Writer(pds, pds.create_account("strangermention")).post("Which bike brand do you like?")
    aside = f"@{brand.handle} for sure"
    in_thread = fan.post(aside, reply_to=stranger, facets=_mention_facet(aside, brand.handle, brand.did))
    inbox_poll_account(account.pk)
    item = InboxItem.objects.get(account=account, external_id=mention["uri"])
    # a mention in someone else's thread is a mention, in that thread
    elsewhere = InboxItem.objects.get(account=account, external_id=in_thread["uri"])
    assert elsewhere.kind == "mention" and elsewhere.conversation.external_id == stranger["uri"]
    assert InboxItem.objects.filter(account=account).count() == 2  # the stranger's post is not ours
    from channels_app import vault
    from inbox.services.replies import _target

    # when: we answer through the connector, and the fan edits the post (putRecord: a new cid)
    connector = connector_for("bluesky")
    result = connector.reply(
        vault.credentials_read(account), to=_target(item), text="Sorry! DM us your order"
    )
    connector.close()
    edited = fan.pds.xrpc(
        "POST",
        "com.atproto.repo.putRecord",
        token=fan.token,
        json={
            "repo": fan.account.did,
            "collection": POST,
            "rkey": mention["uri"].rsplit("/", 1)[-1],
            "record": {**_record(pds, mention["uri"])["value"], "text": f"{text}, two weeks now"},
        },
    )
    assert edited.status_code == 200, edited.text
    polled = inbox_poll_account(account.pk)

    # then: root and parent are the mention; the edit is an edit; our answer is recognised as ours
    value = _record(pds, result.external_id)["value"]
    assert value["reply"] == {"root": mention, "parent": mention}
    assert (polled.created, polled.edited) == (1, 1), polled
    item.refresh_from_db()
    assert item.text.endswith("two weeks now") and item.edited_at is not None
    ours = InboxItem.objects.get(account=account, external_id=result.external_id)
    # (a mention's conversation is kind "mention"; answers sit in the thread of the same post, as on Mastodon)
    assert ours.from_us and ours.kind == "reply" and ours.conversation.external_id == mention["uri"]
    assert ours.parent_external_id == "" and ours.conversation.kind == "thread"
