"""The simulated X API as tweepy 4.17.0 sees it: every call our X connector makes, through tweepy's own
parsing (ids as integers, v2 `data`/`includes`/`meta`/`errors`, v1.1 media objects, typed exceptions).

tweepy cannot be given a base URL; `sdk_x_youtube` explains the requests-adapter hook used instead."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
import tweepy

from channels_app.tests.contract_cases import PNG_1X1

from .sdk_x_youtube import route_x_to_sim, tweepy_api, tweepy_client, tweepy_oauth2_handler

SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"]
REDIRECT_URI = "https://kawo.example/oauth/x/callback"
SNOWFLAKE = re.compile(r"^[0-9]{1,19}$")


@pytest.fixture
def x_mount(platform_sim):
    return platform_sim.url("x")


@pytest.fixture
def account(platform_sim):
    return platform_sim.create_account("x")


@pytest.fixture
def client(x_mount, account):
    return tweepy_client(x_mount, account.access_token)


def consent(x_mount: str, authorization_url: str, handle: str) -> str:
    """The account owner clicks "Authorize" on the page tweepy sent them to; returns the redirect URL."""
    params = dict(parse_qsl(urlsplit(authorization_url).query))
    page = httpx.post(f"{x_mount}/i/oauth2/authorize", data={**params, "handle": handle, "decision": "allow"})
    assert page.status_code == 302
    return page.headers["location"]


def test_oauth2_pkce_flow_with_tweepys_handler_issues_tokens_and_rotates_the_refresh_token(
    platform_sim, x_mount, account
):
    # given
    handler = tweepy_oauth2_handler(
        x_mount,
        client_id="sim-x-client",
        client_secret="sim-x-secret",
        redirect_uri=REDIRECT_URI,
        scope=SCOPES,
    )
    redirect = consent(x_mount, handler.get_authorization_url(), account.handle)

    # when
    token = handler.fetch_token(redirect)
    refreshed = handler.refresh_token(
        "https://api.twitter.com/2/oauth2/token", refresh_token=token["refresh_token"], auth=handler.auth
    )

    # then
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 7200
    assert set(token["scope"]) == set(SCOPES)
    assert refreshed["access_token"] != token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]  # X rotates refresh tokens
    me = tweepy_client(x_mount, refreshed["access_token"]).get_me(user_auth=False)
    assert me.data.id == int(account.external_id)
    statuses = {t["status"] for t in platform_sim.tokens("x", account.external_id) if t["kind"] == "refresh"}
    assert "used" in statuses  # the first refresh token died when it was used


def test_get_me_parses_the_numeric_user_id_and_requested_fields(client, account):
    # when
    me = client.get_me(user_auth=False, user_fields=["profile_image_url", "public_metrics"])

    # then
    assert isinstance(me.data, tweepy.User)
    assert me.data.id == int(account.external_id)
    assert me.data.username == account.handle
    assert me.data.public_metrics["followers_count"] == 0
    assert me.errors == [] and me.includes == {}


def test_create_tweet_then_get_tweet_reads_it_back_with_tweepys_types(client, account):
    # when
    created = client.create_tweet(text="Launch day 新品 🚀", user_auth=False)
    post_id = created.data["id"]
    read = client.get_tweet(post_id, tweet_fields=["created_at", "author_id"], expansions=["author_id"])

    # then
    assert SNOWFLAKE.match(post_id) and len(post_id) >= 18  # a snowflake-like id, as a string
    assert created.data["edit_history_tweet_ids"] == [post_id]
    tweet = read.data
    assert tweet.id == int(post_id) and tweet.text == "Launch day 新品 🚀"
    assert tweet.author_id == int(account.external_id)
    assert tweet.edit_history_tweet_ids == [int(post_id)]
    assert isinstance(tweet.created_at, datetime) and tweet.created_at.tzinfo is not None
    assert [user.id for user in read.includes["users"]] == [int(account.external_id)]


def test_v1_media_upload_gives_media_id_as_int_and_string_and_a_tweet_carries_it(x_mount, client, account):
    # given
    api = tweepy_api(x_mount, account.access_token)

    # when
    media = api.media_upload("pixel.png", file=io.BytesIO(PNG_1X1))
    created = client.create_tweet(text="with a picture", media_ids=[media.media_id], user_auth=False)
    read = client.get_tweet(
        created.data["id"], expansions=["attachments.media_keys"], media_fields=["type", "url"]
    )

    # then
    assert isinstance(media.media_id, int) and media.media_id_string == str(media.media_id)
    assert SNOWFLAKE.match(media.media_id_string)
    assert media.image["image_type"] == "image/png" and media.size == len(PNG_1X1)
    assert read.data.attachments == {"media_keys": [f"3_{media.media_id}"]}
    [included] = read.includes["media"]
    assert included.media_key == f"3_{media.media_id}" and included.type == "photo"


def test_v1_media_metadata_sets_the_alt_text(platform_sim, x_mount, account):
    # given
    api = tweepy_api(x_mount, account.access_token)
    media = api.media_upload("pixel.png", file=io.BytesIO(PNG_1X1))

    # when
    api.create_media_metadata(media.media_id_string, "a single white pixel")

    # then: the connector's v2 metadata call and tweepy's v1.1 one land in the same place
    client = tweepy_client(x_mount, account.access_token)
    client.create_tweet(text="alt text", media_ids=[media.media_id], user_auth=False)
    [post] = platform_sim.posts("x", account.external_id)
    assert post["media"][0]["extra"]["alt_text"] == "a single white pixel"


def test_v2_media_upload_answers_numeric_ids_that_create_tweet_accepts(x_mount, client, account):
    # given: tweepy has no v2 upload; this is the documented call our connector makes
    session = route_x_to_sim(requests.Session(), x_mount)

    # when
    uploaded = session.post(
        "https://api.x.com/2/media/upload",
        headers={"Authorization": f"Bearer {account.access_token}"},
        data={"media_category": "tweet_image", "media_type": "image/png"},
        files={"media": ("pixel.png", PNG_1X1, "image/png")},
    ).json()["data"]
    created = client.create_tweet(text="v2 upload", media_ids=[uploaded["id"]], user_auth=False)

    # then
    assert SNOWFLAKE.match(uploaded["id"]) and uploaded["media_key"] == f"3_{uploaded['id']}"
    assert client.get_tweet(created.data["id"], expansions=["attachments.media_keys"]).data.attachments == {
        "media_keys": [uploaded["media_key"]]
    }


def test_get_users_tweets_lists_newest_first_with_meta(client, account):
    # given
    ids = [client.create_tweet(text=f"post {n}", user_auth=False).data["id"] for n in range(3)]

    # when
    page = client.get_users_tweets(account.external_id, max_results=5, tweet_fields=["created_at"])

    # then
    assert [t.id for t in page.data] == [int(i) for i in reversed(ids)]
    assert page.meta["result_count"] == 3
    assert page.meta["newest_id"] == ids[-1] and page.meta["oldest_id"] == ids[0]


def test_get_users_tweets_of_an_account_without_posts_has_no_data(client, account):
    # when
    page = client.get_users_tweets(account.external_id, max_results=5)

    # then
    assert page.data is None and page.meta == {"result_count": 0}


def test_delete_tweet_then_a_lookup_answers_not_found_in_errors(client):
    # given
    post_id = client.create_tweet(text="short-lived", user_auth=False).data["id"]

    # when
    deleted = client.delete_tweet(post_id, user_auth=False)
    read = client.get_tweet(post_id)

    # then: X answers a missing post with HTTP 200 and only `errors` (no tweepy.NotFound)
    assert deleted.data == {"deleted": True}
    assert read.data is None
    [error] = read.errors
    assert error["title"] == "Not Found Error" and error["resource_id"] == post_id
    assert error["type"].endswith("/2/problems/resource-not-found")


def test_a_bad_token_raises_unauthorized(x_mount):
    # given
    client = tweepy_client(x_mount, "not-a-token")

    # when
    with pytest.raises(tweepy.Unauthorized) as raised:
        client.get_me(user_auth=False)

    # then
    assert raised.value.response.status_code == 401
    assert raised.value.api_messages == ["Unauthorized"]


def test_a_bad_token_on_the_v1_upload_raises_unauthorized_with_code_89(x_mount):
    # given
    api = tweepy_api(x_mount, "not-a-token")

    # when
    with pytest.raises(tweepy.Unauthorized) as raised:
        api.media_upload("pixel.png", file=io.BytesIO(PNG_1X1))

    # then: v1.1's own error shape
    assert raised.value.api_codes == [89]
    assert raised.value.api_messages == ["Invalid or expired token."]


def test_an_unknown_route_raises_not_found(client):
    # when: a path X does not serve (v2 has no statuses endpoint)
    with pytest.raises(tweepy.NotFound) as raised:
        client.request("GET", "/2/statuses/home_timeline")

    # then
    assert raised.value.response.status_code == 404


def test_a_duplicate_post_raises_forbidden(client):
    # given
    client.create_tweet(text="same words", user_auth=False)

    # when
    with pytest.raises(tweepy.Forbidden) as raised:
        client.create_tweet(text="same words", user_auth=False)

    # then
    assert "duplicate content" in str(raised.value)


def test_a_rate_limit_raises_too_many_requests_with_the_reset_time(platform_sim, client, account):
    # given
    platform_sim.add_fault("rate_limit", platform="x", operation="publish", retry_after=90, count=1)

    # when
    with pytest.raises(tweepy.TooManyRequests) as raised:
        client.create_tweet(text="too soon", user_auth=False)

    # then
    reset = raised.value.reset_time
    assert isinstance(reset, int) and 85 <= reset - time.time() <= 95
    assert raised.value.response.headers["x-rate-limit-reset"] == str(reset)
    assert raised.value.response.headers["x-rate-limit-remaining"] == "0"
    assert client.create_tweet(text="later", user_auth=False).data["id"]


def test_the_apps_daily_cap_says_so_in_its_headers(platform_sim, client):
    # given
    platform_sim.add_fault("rate_limit", platform="x", operation="publish", retry_after=3600, scope="app")

    # when
    with pytest.raises(tweepy.TooManyRequests) as raised:
        client.create_tweet(text="over the app cap", user_auth=False)

    # then
    headers = raised.value.response.headers
    assert headers["x-app-limit-24hour-remaining"] == "0"
    assert int(headers["x-app-limit-24hour-reset"]) == raised.value.reset_time


def test_get_tweets_with_metric_fields_parses_public_non_public_and_organic_metrics(
    platform_sim, client, account
):
    # given a post, with X's clock pinned two days after it (figures grow with time)
    post_id = client.create_tweet(text="Metrics through tweepy", user_auth=False).data["id"]
    created_at = platform_sim.posts("x", account.external_id)[0]["created_at"]
    platform_sim.set_options("x", account.external_id, metrics_now=created_at + 2 * 86400)

    # when
    read = client.get_tweets(
        [post_id], tweet_fields=["public_metrics", "non_public_metrics", "organic_metrics"], user_auth=False
    )
    user = client.get_user(id=account.external_id, user_fields=["public_metrics"], user_auth=False)

    # then tweepy reads the three metric objects with X's field names
    tweet = read.data[0]
    assert tweet.id == int(post_id)
    assert set(tweet.public_metrics) == {
        "retweet_count",
        "reply_count",
        "like_count",
        "quote_count",
        "bookmark_count",
        "impression_count",
    }
    assert set(tweet.non_public_metrics) == {"impression_count", "url_link_clicks", "user_profile_clicks"}
    assert tweet.organic_metrics["impression_count"] == tweet.public_metrics["impression_count"]
    assert read.errors == []
    assert user.data.id == int(account.external_id) and "followers_count" in user.data.public_metrics


def test_non_public_metrics_of_a_post_over_30_days_old_come_back_as_a_field_error(
    platform_sim, client, account
):
    # given X's clock 31 days after the post
    post_id = client.create_tweet(text="An old post", user_auth=False).data["id"]
    created_at = platform_sim.posts("x", account.external_id)[0]["created_at"]
    platform_sim.set_options("x", account.external_id, metrics_now=created_at + 31 * 86400)

    # when
    read = client.get_tweets([post_id], tweet_fields=["non_public_metrics"], user_auth=False)
    public = client.get_tweets([post_id], tweet_fields=["public_metrics"], user_auth=False)

    # then the post is left out with a Field Authorization Error; its public metrics still come
    assert read.data is None
    assert [(e["resource_id"], e["title"]) for e in read.errors] == [(post_id, "Field Authorization Error")]
    assert public.data[0].public_metrics["like_count"] >= 0
