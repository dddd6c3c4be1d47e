"""Contract tests of every competitor data source against platform_sim (acceptance 1): resolving a
handle, paging through a rival's posts, a deleted rival post, a rival renamed or made private, a 429."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.errors import RateLimited
from channels_app.connectors.registry import connector_for
from competitors.sources.base import RivalNotFound, RivalPrivate, RivalSource
from competitors.sources.registry import source_for

DAY = 86400.0


@dataclass
class Case:
    platform: str
    page_size: int
    can_be_private: bool = True
    # Instagram's Business Discovery looks accounts up by username only: a renamed or private rival is
    # not found by its old name (marked gone; added again by its new username).
    by_name_only: bool = False


CASES = [
    Case("x", 5),
    Case("mastodon", 3),
    Case("bluesky", 3, can_be_private=False),
    Case("youtube", 3, can_be_private=False),
    Case("instagram", 3, can_be_private=False, by_name_only=True),
    Case("douyin", 4),
    Case("wechat_oa", 4),
    Case("xiaohongshu", 4),
    Case("wechat_channels", 4),
    Case("kuaishou", 4),
    Case("weibo", 4),
    Case("bilibili", 4),
]


def _rival(platform_sim, case: Case, posts: int, handle: str = ""):
    """A rival account with `posts` posts, the oldest first, one hour apart, ending an hour ago."""
    kwargs = {"followers": 5000}
    if handle:
        kwargs["handle"] = handle
    if case.platform == "bluesky":
        kwargs["options"] = {"app_password": "app-pass-1234"}
    account = platform_sim.create_account(case.platform, **kwargs)
    ids = []
    start = time.time() - (posts + 1) * 3600
    for n in range(posts):
        if case.platform == "bluesky":
            # Bluesky records are made by the account itself (what a PDS holds); then backdated.
            connector = connector_for("bluesky")
            tokens = connector.connect_with_credentials(identifier=account.handle, password="app-pass-1234")
            credentials = Credentials(access_token=tokens.access_token, extra=tokens.extra)
            result = connector.publish(credentials, PostPayload(text=f"rival post {n} #launch"))
            ids.append(result.external_id.rsplit("/", 1)[-1])
        else:
            post = platform_sim.seed_post(
                case.platform,
                account.external_id,
                text=f"rival post {n} #launch",
                created_at=start + n * 3600,
            )
            ids.append(post["id"])
    return account, ids


@pytest.fixture(autouse=True)
def our_instagram_business_account(request, settings):
    """Business Discovery reads through one of our own Instagram business accounts."""
    case = request.node.callspec.params.get("case") if hasattr(request.node, "callspec") else None
    if (case is not None and case.platform == "instagram") or "instagram" in request.node.name:
        ours = request.getfixturevalue("platform_sim").create_account("instagram", handle="lumiere_official")
        settings.KAWO_COMPETITORS_INSTAGRAM_USER_ID = ours.external_id
        settings.KAWO_COMPETITORS_INSTAGRAM_TOKEN = ours.access_token


def _source(case: Case) -> RivalSource:
    source = source_for(case.platform)
    source.page_size = case.page_size
    return source


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.platform)
def test_resolves_a_handle_to_the_account(platform_sim, case):
    # given
    account, _ids = _rival(platform_sim, case, 0, handle=f"rivalbrand{case.platform.replace('_', '')}")
    # when
    found = _source(case).resolve(account.handle)
    # then
    assert found.external_id == account.external_id
    assert found.handle == account.handle
    if case.platform != "bluesky":  # a lone PDS has no AppView; the simulator's serves counts
        assert found.followers and found.followers > 0
    with pytest.raises(RivalNotFound):
        _source(case).resolve("nobody_by_that_name")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.platform)
def test_pages_through_every_post_newest_first(platform_sim, case):
    # given: more posts than two pages hold
    account, ids = _rival(platform_sim, case, case.page_size * 2 + 1)
    source = _source(case)
    # when
    seen, cursor, pages = [], "", 0
    while True:
        page = source.posts(
            account.external_id,
            since=datetime.now(UTC) - timedelta(days=30),
            cursor=cursor,
            handle=account.handle,
        )
        pages += 1
        seen += [post.external_id for post in page.posts]
        cursor = page.next_cursor
        if not cursor:
            break
    # then
    assert pages >= 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.platform)
def test_a_deleted_post_is_reported_deleted(platform_sim, case):
    # given
    account, ids = _rival(platform_sim, case, 2)
    if case.platform == "bluesky":
        platform_sim.delete_post("bluesky", ids[0])
        asked = [f"{account.external_id}/{rkey}" for rkey in ids]
    else:
        platform_sim.delete_post(case.platform, ids[0])
        asked = ids
    # when
    figures = _source(case).post_figures(asked, handle=account.handle)
    # then
    assert figures.deleted == [asked[0]]
    assert list(figures.found) == [asked[1]]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.platform)
def test_a_renamed_account_is_the_same_account(platform_sim, case):
    # given
    account, _ids = _rival(platform_sim, case, 1)
    # when
    platform_sim.set_profile(
        case.platform, account.external_id, handle="renamed_brand", display_name="Renamed"
    )
    if case.by_name_only:
        # then: not found by the old name; the new name is the same account
        with pytest.raises(RivalNotFound):
            _source(case).profile(account.external_id, handle=account.handle)
        assert _source(case).resolve("renamed_brand").external_id == account.external_id
        return
    found = _source(case).profile(account.external_id, handle=account.handle)
    # then
    assert found.external_id == account.external_id
    assert found.handle == "renamed_brand"


@pytest.mark.parametrize("case", [c for c in CASES if c.can_be_private], ids=lambda c: c.platform)
def test_a_private_account_is_reported_private(platform_sim, case):
    # given
    account, _ids = _rival(platform_sim, case, 1)
    # when
    platform_sim.set_profile(case.platform, account.external_id, private=True)
    # then
    assert _source(case).profile(account.external_id).private is True
    with pytest.raises(RivalPrivate):
        _source(case).posts(account.external_id, since=datetime.now(UTC) - timedelta(days=1))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.platform)
def test_a_429_is_rate_limited_with_retry_after(platform_sim, case):
    # given
    account, _ids = _rival(platform_sim, case, 1)
    sim_platform = "competitor_provider" if _source(case).key == "provider" else case.platform
    platform_sim.add_fault("rate_limit", platform=sim_platform, operation="list", retry_after=42)
    # when / then
    with pytest.raises(RateLimited) as caught:
        _source(case).posts(
            account.external_id, since=datetime.now(UTC) - timedelta(days=1), handle=account.handle
        )
    assert caught.value.retry_after >= 41


def test_instagram_a_rival_turned_private_or_personal_is_not_found(
    platform_sim, our_instagram_business_account
):
    case = next(c for c in CASES if c.platform == "instagram")
    account, _ids = _rival(platform_sim, case, 1)
    platform_sim.set_profile("instagram", account.external_id, private=True)
    with pytest.raises(RivalNotFound):
        _source(case).profile(account.external_id, handle=account.handle)
