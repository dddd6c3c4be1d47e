"""Conformance: Mastodon.py 2.3.3, default configuration, against the simulator's Mastodon instance.

Only `api_base_url` is given (`f"{sim.url}/mastodon"`). Each test is a call the Mastodon connector makes
(app registration, consent and code exchange, verify_credentials, statuses with an Idempotency-Key,
media, read back, list, delete) or an error answer, as Mastodon.py sees it. Mastodon.py reads the
server's version from /api/v1/instance and picks endpoints by it (media goes to /api/v2/media only from
3.1.4 on), so the instance endpoints come first.
"""

from __future__ import annotations

import io
import re
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError, MastodonUnauthorizedError
from PIL import Image

REDIRECT_URI = "https://kawo.example/oauth/mastodon/callback"
SCOPES = ["read:accounts", "read:statuses", "write:statuses", "write:media"]
ATTACHMENT_KEYS = {
    "id",
    "type",
    "url",
    "preview_url",
    "remote_url",
    "preview_remote_url",
    "text_url",
    "meta",
    "description",
    "blurhash",
}


def _png(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _assert_snowflake(value, *, near: float) -> None:
    """Mastodon ids are numeric strings whose top bits are the creation time in milliseconds."""
    assert isinstance(value, str | int) and str(value).isdigit(), value
    created_ms = int(value) >> 16
    assert abs(created_ms / 1000 - near) < 60, (value, created_ms)


@pytest.fixture
def base_url(platform_sim) -> str:
    return platform_sim.url("mastodon")


@pytest.fixture
def account(platform_sim):
    return platform_sim.create_account("mastodon", handle="conformance")


@pytest.fixture
def api(base_url, account) -> Mastodon:
    return Mastodon(access_token=account.access_token, api_base_url=base_url)


def test_the_instance_reports_a_version_mastodon_py_accepts(base_url):
    # given
    api = Mastodon(api_base_url=base_url)

    # when
    version = api.retrieve_mastodon_version(fail_hard=True)

    # then: v1 and v2 both answer, with what clients read from them
    assert version == "4.3.0"
    assert api.verify_minimum_version("4.0.0", cached=True)
    assert api.mastodon_api_version >= 2
    v1, v2 = api.instance_v1(), api.instance_v2()
    assert v1.version == v2.version == "4.3.0"
    assert v2.configuration.statuses.max_characters == 500
    assert v2.configuration.statuses.max_media_attachments == 4
    assert "image/png" in v2.configuration.media_attachments.supported_mime_types
    assert v1.configuration.statuses.characters_reserved_per_url == 23


def test_connect_through_the_consent_page_and_the_code_exchange(base_url, platform_sim):
    # given: an app registered with Mastodon.py and the consent page its auth_request_url opens
    client_id, client_secret = Mastodon.create_app(
        "KAWO conformance", scopes=SCOPES, redirect_uris=REDIRECT_URI, api_base_url=base_url
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url)
    url = api.auth_request_url(redirect_uris=REDIRECT_URI, scopes=SCOPES, state="s1")
    page = httpx.get(url)
    assert page.status_code == 200
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    form |= {"handle": "consenting", "decision": "allow"}
    consent = httpx.post(url.split("?")[0], data=form)
    query = parse_qs(urlparse(consent.headers["location"]).query)
    assert query["state"] == ["s1"]

    # when
    token = api.log_in(code=query["code"][0], redirect_uri=REDIRECT_URI, scopes=SCOPES)

    # then: the token works, and Mastodon.py learnt the server's version while logging in
    me = api.account_verify_credentials()
    assert token and me.username == "consenting"
    assert str(me.id).isdigit()
    assert (api.mastodon_major, api.mastodon_minor) == (4, 3)


def test_publish_read_list_and_delete_a_status(api, account):
    # given
    before = time.time()

    # when
    status = api.status_post("hello from Mastodon.py", idempotency_key="conformance-1")

    # then
    _assert_snowflake(status.id, near=before)
    again = api.status_post("hello from Mastodon.py", idempotency_key="conformance-1")
    assert again.id == status.id  # the Idempotency-Key returned the first status
    assert str(status.account.id) == account.external_id
    assert "hello from Mastodon.py" in api.status(status.id).content
    assert [s.id for s in api.account_statuses(account.external_id)] == [status.id]
    deleted = api.status_delete(status.id)
    assert deleted.text == "hello from Mastodon.py"
    with pytest.raises(MastodonNotFoundError):
        api.status(status.id)


def test_upload_media_and_publish_with_it(api):
    # given
    before = time.time()

    # when
    media = api.media_post(_png(), mime_type="image/png", description="a blue rectangle")
    status = api.status_post("with a picture", media_ids=[media])

    # then: the attachment has every field a MediaAttachment has, on upload and on the status
    _assert_snowflake(media.id, near=before)
    assert set(media) >= ATTACHMENT_KEYS
    assert media.type == "image" and media.url.startswith("http") and media.preview_url.startswith("http")
    assert media.description == "a blue rectangle"
    assert (media.meta.original.width, media.meta.original.height) == (8, 6)
    assert isinstance(media.blurhash, str) and len(media.blurhash) >= 6
    attached = status.media_attachments[0]
    assert set(attached) >= ATTACHMENT_KEYS
    assert (attached.id, attached.url, attached.description) == (media.id, media.url, "a blue rectangle")


def test_a_bad_token_is_401(base_url):
    # given
    api = Mastodon(access_token="not-a-token", api_base_url=base_url)

    # when / then
    with pytest.raises(MastodonUnauthorizedError) as raised:
        api.account_verify_credentials()
    assert "The access token is invalid" in str(raised.value)


def test_a_missing_status_is_404(api):
    # when / then
    with pytest.raises(MastodonNotFoundError) as raised:
        api.status("109999999999999999")
    assert "Record not found" in str(raised.value)


def test_a_rate_limited_post_waits_until_the_reset_and_posts_once(platform_sim, api, account):
    # given: Mastodon.py's default ratelimit_method is "wait": on a 429 it sleeps until X-RateLimit-Reset
    # and sends the request again (without that header it would only back off for 2 seconds)
    platform_sim.add_fault("rate_limit", platform="mastodon", operation="publish", retry_after=4, count=1)
    started = time.monotonic()

    # when
    status = api.status_post("after the rate limit")

    # then
    assert time.monotonic() - started >= 3.5
    assert api.status(status.id).id == status.id
    assert platform_sim.posts_created("mastodon", account.external_id) == 1
    assert platform_sim.requests("mastodon", "publish", account.external_id) == 2


def test_status_counts_and_followers_read_through_mastodon_py(platform_sim, api, account):
    # given a status, with the instance's clock pinned a day after it (counts grow with time)
    posted = api.status_post("Counting boosts")
    created_at = platform_sim.posts("mastodon", account.external_id)[0]["created_at"]
    platform_sim.set_options("mastodon", account.external_id, metrics_now=created_at + 86400)

    # when: one status, several at once (what the connector asks, Mastodon 4.3+), and the account
    one = api.status(posted["id"])
    several = api.statuses([posted["id"]])
    profile = api.account(account.external_id)

    # then Mastodon.py reads the same counts both ways: replies, boosts, favourites and nothing else
    counts = ("replies_count", "reblogs_count", "favourites_count")
    assert all(isinstance(one[key], int) for key in counts)
    assert [(s["id"], *(s[key] for key in counts)) for s in several] == [
        (one["id"], *(one[key] for key in counts))
    ]
    assert isinstance(profile["followers_count"], int)
