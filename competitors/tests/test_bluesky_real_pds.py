"""Acceptance 2: the Bluesky source against Bluesky's own PDS (tests/peers), reading ANOTHER account's
public records, with no session of ours. A lone PDS has no AppView: the posts are read, the counts and
followers are not offered (None), which the source must survive."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.bluesky.connector import BlueskyConnector
from competitors.sources.base import RivalNotFound
from competitors.sources.bluesky import BlueskyPublicSource


@pytest.fixture
def rival(bluesky_pds):
    """A rival account on the PDS with five posts (made by the rival itself), newest last."""
    account = bluesky_pds.create_account(f"rival{secrets.token_hex(3)}")
    connector = BlueskyConnector(base_url=bluesky_pds.pds_url)
    tokens = connector.connect_with_credentials(identifier=account.handle, password=account.app_password)
    credentials = Credentials(access_token=tokens.access_token, extra=dict(tokens.extra))
    uris = [connector.publish(credentials, PostPayload(text=f"rival post {n}")).external_id for n in range(5)]
    connector.close()
    return account, [uri.rsplit("/", 1)[-1] for uri in uris], connector, credentials


def test_the_source_reads_another_accounts_public_records_on_the_real_pds(bluesky_pds, rival):
    account, rkeys, _connector, _credentials = rival
    source = BlueskyPublicSource(base_url=bluesky_pds.pds_url)
    source.page_size = 2
    # resolve: handle -> DID, handle from describeRepo; no AppView, so no followers
    found = source.resolve(account.handle)
    assert found.external_id.startswith("did:") and found.handle == account.handle
    assert found.followers is None
    # paging: 5 posts in pages of 2
    seen, cursor, pages = [], "", 0
    while True:
        page = source.posts(found.external_id, since=datetime.now(UTC) - timedelta(days=1), cursor=cursor)
        pages += 1
        seen += [p.external_id for p in page.posts]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(rkeys) and pages == 3
    assert all(p.raw == {} for p in page.posts)  # no counts without an AppView
    with pytest.raises(RivalNotFound):
        source.resolve("nobody-here.test")


def test_a_deleted_record_is_reported_deleted_on_the_real_pds(bluesky_pds, rival):
    account, rkeys, connector, credentials = rival
    source = BlueskyPublicSource(base_url=bluesky_pds.pds_url)
    did = source.resolve(account.handle).external_id
    # when: the rival deletes its first post
    BlueskyConnector(base_url=bluesky_pds.pds_url).delete(
        credentials, f"at://{did}/app.bsky.feed.post/{rkeys[0]}"
    )
    figures = source.post_figures([f"{did}/{rkeys[0]}", f"{did}/{rkeys[1]}"])
    # then
    assert figures.deleted == [f"{did}/{rkeys[0]}"]
    assert list(figures.found) == [f"{did}/{rkeys[1]}"]
