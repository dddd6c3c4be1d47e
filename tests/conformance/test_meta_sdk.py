"""Facebook Pages and Instagram in the simulator, driven by python-facebook-api (pyfacebook) 0.24.0.

pyfacebook is an independent client: if it can connect, publish, read, list, delete and understand the
errors against the simulator, outside clients see the Graph API they expect. Every operation our
connectors perform is here: code exchange (with the app secret in HTTP Basic, what requests-oauthlib
sends), the long-lived token exchange, Page tokens from /me/accounts, profile, a feed post, photos,
Instagram containers and media_publish, read back, list, delete, and the errors (190, 100, 4/32 with
Meta's usage headers).

Pointing pyfacebook at the simulator: `GraphAPI.__init__` documents `base_url` ("Override url for send
request"), `authorization_url` and `access_token_url`; those three constructor arguments are all we set.
The token URLs are separate arguments because Meta serves them unversioned from their own hosts.
requests-oauthlib refuses plain http token URLs unless OAUTHLIB_INSECURE_TRANSPORT is set; the
simulator is loopback http, so the tests that redeem a code set that variable (configuration of
oauthlib, not a patch of either library).
"""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from pyfacebook import FacebookApi, FacebookError, GraphAPI, IGBasicDisplayApi, IGBusinessApi
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from channels_app.connectors.base import Credentials
from channels_app.connectors.registry import connector_for
from platform_sim.kit import OAuthError, PlatformSpec, Simulator, operation, redeem_code

APP_ID = "sim-meta-app"
APP_SECRET = "sim-meta-secret"
REDIRECT_URI = "https://localhost/"  # pyfacebook's DEFAULT_REDIRECT_URI; the code comes back to it
STATE = "PyFacebook"  # pyfacebook's default OAuth state
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def insecure_oauth(monkeypatch):
    """oauthlib only talks to https token endpoints unless told otherwise; the simulator is http."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def facebook_urls(sim) -> dict:
    root = sim.url("facebook")
    return {
        "base_url": f"{root}/",  # pyfacebook appends "v24.0/<path>" to it
        "authorization_url": f"{root}/dialog/oauth",
        "access_token_url": f"{root}/oauth/access_token",  # unversioned, as Meta's default is
    }


def instagram_urls(sim) -> dict:
    root = sim.url("instagram")
    return {
        "base_url": f"{root}/",
        "authorization_url": f"{root}/oauth/authorize",
        "access_token_url": f"{root}/oauth/access_token",
    }


def redirect_with(code: str) -> str:
    return f"{REDIRECT_URI}?code={code}&state={STATE}"


def page_api(sim, page) -> FacebookApi:
    return FacebookApi(access_token=page.access_token, base_url=facebook_urls(sim)["base_url"])


def instagram_api(sim, account) -> IGBusinessApi:
    return IGBusinessApi(
        access_token=account.access_token,
        instagram_business_id=account.external_id,
        base_url=instagram_urls(sim)["base_url"],
    )


# --- Facebook: tokens ---


def test_facebook_code_exchange_with_the_app_secret_in_http_basic(platform_sim, insecure_oauth):
    # given: requests-oauthlib's default client authentication is HTTP Basic (RFC 6749 2.3.1)
    page = platform_sim.create_account("facebook")
    code = platform_sim.authorize("facebook", page.external_id, redirect_uri=REDIRECT_URI, client_id=APP_ID)
    urls = {**facebook_urls(platform_sim)}
    urls["access_token_url"] = f"{platform_sim.url('facebook')}/v24.0/oauth/access_token"
    api = GraphAPI(app_id=APP_ID, app_secret=APP_SECRET, oauth_flow=True, **urls)

    # when
    token = api.exchange_user_access_token(response=redirect_with(code))

    # then
    assert token["access_token"] and token["token_type"].lower() == "bearer"
    assert api.get_object("me", fields="id")["id"] == page.external_id


def test_facebook_token_endpoint_takes_the_client_by_basic_or_by_parameters_but_not_two_clients(
    platform_sim,
):
    # given
    page = platform_sim.create_account("facebook")
    url = f"{platform_sim.url('facebook')}/oauth/access_token"
    basic = "Basic " + base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    codes = [
        platform_sim.authorize("facebook", page.external_id, redirect_uri=REDIRECT_URI, client_id=APP_ID)
        for _ in range(3)
    ]

    # when
    by_basic = httpx.post(
        url, data={"code": codes[0], "redirect_uri": REDIRECT_URI}, headers={"Authorization": basic}
    )
    by_params = httpx.get(
        url,
        params={
            "client_id": APP_ID,
            "client_secret": APP_SECRET,
            "code": codes[1],
            "redirect_uri": REDIRECT_URI,
        },
    )
    two_clients = httpx.post(
        url,
        data={"client_id": "another-app", "code": codes[2], "redirect_uri": REDIRECT_URI},
        headers={"Authorization": basic},
    )

    # then
    assert by_basic.status_code == 200 and by_basic.json()["access_token"]
    assert by_params.status_code == 200 and by_params.json()["access_token"]
    assert two_clients.status_code == 400 and two_clients.json()["error"]["code"] == 100


@pytest.mark.parametrize(
    ("accepted", "sent_by", "redeemed"),
    [
        (frozenset({"basic", "body"}), "basic", True),
        (frozenset({"basic", "body"}), "body", True),
        (frozenset({"basic"}), "body", False),
        (frozenset({"body"}), "basic", False),
    ],
)
def test_kit_redeems_a_code_only_with_a_client_authentication_the_platform_accepts(
    accepted, sent_by, redeemed
):
    # given: a platform declaring which client authentication its token endpoint takes (kit.py)
    spec = PlatformSpec(key="strict", display_name="Strict", client_auth=accepted)

    @operation(spec, "token", auth=False)
    async def token(request, ctx):
        p = await ctx.params()
        try:
            redeem_code(ctx, code=p.get("code", ""), client_secret=p.get("client_secret", ""))
        except OAuthError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/token", token, methods=["POST"])])
    app.state.sim = Simulator({"strict": spec})
    account = app.state.sim.state.create_account("strict", access_ttl=3600, refresh_ttl=3600)
    code = app.state.sim.state.issue_code(account, client_id=APP_ID, redirect_uri="", ttl=60)
    basic = "Basic " + base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
    form = {"code": code.value}
    headers = {}
    if sent_by == "basic":
        headers["Authorization"] = basic
    else:
        form.update(client_id=APP_ID, client_secret=APP_SECRET)

    async def post_token() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # in process: the kit alone, no server
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return await client.post("/token", data=form, headers=headers)

    # when
    answer = asyncio.run(post_token())

    # then
    assert (answer.status_code == 200) is redeemed


def test_facebook_connect_flow_code_long_lived_token_and_page_tokens(platform_sim, insecure_oauth):
    # given
    page = platform_sim.create_account("facebook")
    code = platform_sim.authorize("facebook", page.external_id, redirect_uri=REDIRECT_URI, client_id=APP_ID)
    api = GraphAPI(app_id=APP_ID, app_secret=APP_SECRET, oauth_flow=True, **facebook_urls(platform_sim))

    # when: the connector's order: code -> short-lived user token -> long-lived -> Page tokens
    short = api.exchange_user_access_token(response=redirect_with(code))
    long_lived = api.exchange_long_lived_user_access_token(access_token=short["access_token"])
    user_token = long_lived["access_token"]
    accounts = api.exchange_long_lived_page_access_token(user_id="me", access_token=user_token)
    page_token = api.exchange_page_access_token(page.external_id, access_token=user_token)

    # then
    assert long_lived["access_token"] != short["access_token"] and long_lived["expires_in"] > 86400
    assert [p["id"] for p in accounts["data"]] == [page.external_id]
    assert accounts["data"][0]["access_token"] and page_token
    reader = FacebookApi(access_token=page_token, base_url=facebook_urls(platform_sim)["base_url"])
    assert reader.page.get_info(page_id=page.external_id, fields="id,name").id == page.external_id


def test_facebook_unversioned_graph_paths_are_served_at_the_default_version(platform_sim):
    # given: Graph routes a call without /vNN.0/ to the app's default version
    page = platform_sim.create_account("facebook")
    root = platform_sim.url("facebook")
    token = {"access_token": page.access_token}

    # when
    me = httpx.get(f"{root}/me", params={**token, "fields": "id,name"})
    posted = httpx.post(f"{root}/{page.external_id}/feed", data={**token, "message": "unversioned"})
    read = httpx.get(f"{root}/{posted.json()['id']}", params={**token, "fields": "id,message"})
    listed = httpx.get(f"{root}/{page.external_id}/posts", params=token)

    # then
    assert me.status_code == 200 and me.json()["id"] == page.external_id
    assert posted.status_code == 200
    assert read.json()["message"] == "unversioned"
    assert [p["id"] for p in listed.json()["data"]] == [posted.json()["id"]]


# --- Facebook: content ---


def test_facebook_profile_feed_post_read_back_list_and_delete(platform_sim):
    # given
    page = platform_sim.create_account("facebook", followers=12)
    api = page_api(platform_sim, page)

    # when
    profile = api.page.get_info(page_id=page.external_id, fields="id,name,username,followers_count")
    created = api.post_object(object_id=page.external_id, connection="feed", data={"message": "hello page"})
    read = api.post.get_info(post_id=created["id"], fields="id,message,created_time,permalink_url")
    listed = api.page.get_posts(object_id=page.external_id, fields="id,message")
    deleted = api.delete_object(object_id=created["id"])

    # then
    assert profile.id == page.external_id and profile.followers_count == 12
    assert read.message == "hello page" and read.created_time
    assert [p.id for p in listed.data] == [created["id"]]
    assert deleted == {"success": True}
    assert platform_sim.posts_created("facebook", page.external_id) == 1


def test_facebook_photo_upload_by_bytes_and_by_url_and_attached_to_a_feed_post(platform_sim):
    # given
    page = platform_sim.create_account("facebook")
    api = page_api(platform_sim, page)

    # when
    by_bytes = api.post_object(
        object_id=page.external_id,
        connection="photos",
        data={"caption": "from bytes"},
        files={"source": ("p.jpg", JPEG, "image/jpeg")},
    )
    by_url = api.post_object(
        object_id=page.external_id,
        connection="photos",
        data={"caption": "from url", "url": "https://cdn.example.com/p.jpg"},
    )
    unpublished = api.post_object(
        object_id=page.external_id,
        connection="photos",
        data={"published": "false"},
        files={"source": ("q.jpg", JPEG, "image/jpeg")},
    )
    album = api.post_object(
        object_id=page.external_id,
        connection="feed",
        data={"message": "two photos", "attached_media[0]": f'{{"media_fbid":"{unpublished["id"]}"}}'},
    )

    # then
    assert by_bytes["post_id"] and by_url["post_id"] and "post_id" not in unpublished
    assert api.post.get_info(post_id=by_bytes["post_id"], fields="id,message").message == "from bytes"
    stored = {p["id"]: p for p in platform_sim.posts("facebook", page.external_id)}
    assert stored[album["id"]]["media"][0]["sha256"]
    assert platform_sim.posts_created("facebook", page.external_id) == 3


# --- Facebook: errors ---


def test_facebook_bad_token_is_error_190(platform_sim):
    # given
    page = platform_sim.create_account("facebook")
    api = FacebookApi(access_token="not-a-token", base_url=facebook_urls(platform_sim)["base_url"])

    # when
    with pytest.raises(FacebookError) as raised:
        api.page.get_info(page_id=page.external_id, fields="id")

    # then
    assert raised.value.code == 190 and raised.value.type == "OAuthException"


def test_facebook_missing_object_is_error_100(platform_sim):
    # given
    page = platform_sim.create_account("facebook")

    # when
    with pytest.raises(FacebookError) as raised:
        page_api(platform_sim, page).post.get_info(post_id=f"{page.external_id}_404", fields="id")

    # then
    assert raised.value.code == 100 and raised.value.error_subcode == 33


def test_facebook_page_rate_limit_is_code_32_with_the_business_use_case_header(platform_sim):
    # given
    page = platform_sim.create_account("facebook")
    platform_sim.add_fault("rate_limit", platform="facebook", operation="publish", retry_after=120)
    api = page_api(platform_sim, page)

    # when
    with pytest.raises(FacebookError) as raised:
        api.post_object(object_id=page.external_id, connection="feed", data={"message": "too many"})

    # then: pyfacebook reads Meta's X-Business-Use-Case-Usage header into its rate-limit state
    assert raised.value.code == 32
    usage = api.rate_limit.get_limit(object_id=page.external_id, rate_limit_type="pages")
    assert usage.call_count == 100 and usage.estimated_time_to_regain_access == 2


def test_facebook_app_rate_limit_is_code_4_with_the_app_usage_header(platform_sim):
    # given
    page = platform_sim.create_account("facebook")
    platform_sim.add_fault(
        "rate_limit", platform="facebook", operation="publish", scope="app", retry_after=60
    )
    api = page_api(platform_sim, page)

    # when
    with pytest.raises(FacebookError) as raised:
        api.post_object(object_id=page.external_id, connection="feed", data={"message": "too many"})

    # then
    assert raised.value.code == 4
    assert api.rate_limit.get_limit().call_count == 100


# --- Instagram: tokens ---


def test_instagram_code_exchange_answers_the_flat_token_shape(platform_sim, insecure_oauth):
    # given: Instagram API with Instagram Login answers {"access_token", "user_id", "permissions"}
    account = platform_sim.create_account("instagram")
    code = platform_sim.authorize(
        "instagram", account.external_id, redirect_uri=REDIRECT_URI, client_id=APP_ID
    )
    api = IGBasicDisplayApi(
        app_id=APP_ID, app_secret=APP_SECRET, oauth_flow=True, **instagram_urls(platform_sim)
    )

    # when
    short = api.exchange_user_access_token(response=redirect_with(code))
    long_lived = api.exchange_long_lived_user_access_token(access_token=short["access_token"])
    refreshed = api.refresh_access_token(access_token=long_lived["access_token"])

    # then
    assert str(short["user_id"]) == account.external_id
    assert "instagram_business_content_publish" in short["permissions"]
    assert long_lived["expires_in"] > 86400 and refreshed["access_token"]
    assert platform_sim.refresh_calls("instagram", account.external_id) == 1


@pytest.mark.parametrize("shape", ["flat", "data_list"])
def test_instagram_connector_accepts_the_flat_and_the_older_wrapped_code_answer(platform_sim, shape):
    # given: the older answer wrapped the token in {"data": [...]}; an account option brings it back
    account = platform_sim.create_account("instagram", options={"oauth_answer_shape": shape})
    connector = connector_for("instagram")
    client_id = connector.app.get("client_id", "")
    code = platform_sim.authorize(
        "instagram", account.external_id, redirect_uri=REDIRECT_URI, client_id=client_id
    )

    # when
    tokens = connector.exchange_code(code=code, redirect_uri=REDIRECT_URI)

    # then
    assert tokens.extra["ig_user_id"] == account.external_id
    profile = connector.fetch_profile(Credentials(access_token=tokens.access_token, extra=tokens.extra))
    assert profile.external_id == account.external_id


# --- Instagram: content ---


def test_instagram_profile_container_publish_read_back_list_and_delete(platform_sim):
    # given
    account = platform_sim.create_account("instagram", followers=7)
    api = instagram_api(platform_sim, account)

    # when
    profile = api.user.get_info(fields="id,username,name,followers_count")
    container = api.post_object(
        object_id=account.external_id,
        connection="media",
        data={"image_url": "https://cdn.example.com/photo.jpg", "caption": "hello gram"},
    )
    status = api.container.get_info(container_id=container["id"])
    quota = api.user.get_content_publishing_limit()
    published = api.post_object(
        object_id=account.external_id, connection="media_publish", data={"creation_id": container["id"]}
    )
    read = api.media.get_info(media_id=published["id"], fields="id,caption,permalink,timestamp")
    listed = api.user.get_media(fields="id,caption")
    deleted = api.delete_object(object_id=published["id"])

    # then
    assert profile.id == account.external_id and profile.username == account.handle
    assert profile.followers_count == 7
    assert status.status_code == "FINISHED"
    assert quota.data[0].quota_usage == 0 and quota.data[0].config.quota_total == 50
    assert read.caption == "hello gram" and read.permalink
    assert [m.id for m in listed.data] == [published["id"]]
    assert deleted == {"success": True}
    assert platform_sim.posts_created("instagram", account.external_id) == 1


# --- Instagram: errors ---


def test_instagram_bad_token_is_190_and_missing_media_is_100(platform_sim):
    # given
    account = platform_sim.create_account("instagram")
    stranger = IGBusinessApi(
        access_token="not-a-token",
        instagram_business_id=account.external_id,
        base_url=instagram_urls(platform_sim)["base_url"],
    )

    # when
    with pytest.raises(FacebookError) as bad_token:
        stranger.user.get_info(fields="id")
    with pytest.raises(FacebookError) as missing:
        instagram_api(platform_sim, account).media.get_info(media_id="17999999999", fields="id")

    # then
    assert bad_token.value.code == 190
    assert missing.value.code == 100


def test_instagram_rate_limit_carries_the_business_use_case_header(platform_sim):
    # given
    account = platform_sim.create_account("instagram")
    platform_sim.add_fault("rate_limit", platform="instagram", operation="upload", retry_after=180)
    api = instagram_api(platform_sim, account)

    # when
    with pytest.raises(FacebookError) as raised:
        api.post_object(
            object_id=account.external_id,
            connection="media",
            data={"image_url": "https://cdn.example.com/photo.jpg"},
        )

    # then
    assert raised.value.code in (4, 17, 32, 80002)
    usage = api.rate_limit.get_limit(object_id=account.external_id, rate_limit_type="instagram")
    assert usage.call_count == 100 and usage.estimated_time_to_regain_access == 3


# --- Insights (metrics) ---


def test_facebook_page_and_post_insights_read_through_pyfacebook(platform_sim):
    # given a Page with a post
    page = platform_sim.create_account("facebook", followers=1200)
    api = page_api(platform_sim, page)
    post = api.post_object(object_id=page.external_id, connection="feed", data={"message": "counted"})

    # when: pyfacebook has no Page-insights helper, so its generic edge read asks /{id}/insights
    daily = api.get_connection(
        object_id=page.external_id,
        connection="insights",
        metric="page_media_view,page_follows",
        period="day",
        since="2026-01-01",
        until="2026-01-04",
    )
    lifetime = api.get_connection(
        object_id=post["id"], connection="insights", metric="post_media_view,post_clicks", period="lifetime"
    )

    # then
    assert [(m["name"], m["period"], len(m["values"])) for m in daily["data"]] == [
        ("page_media_view", "day", 3),
        ("page_follows", "day", 3),
    ]
    assert daily["data"][0]["values"][0]["end_time"] == "2026-01-02T00:00:00+0000"
    assert [(m["name"], m["period"]) for m in lifetime["data"]] == [
        ("post_media_view", "lifetime"),
        ("post_clicks", "lifetime"),
    ]


def test_facebook_removed_insights_metric_fails_the_request_with_error_100(platform_sim):
    # given
    page = platform_sim.create_account("facebook")
    api = page_api(platform_sim, page)

    # when / then: page_fans is gone since 2025-11-15 (page_follows replaces it)
    with pytest.raises(FacebookError) as raised:
        api.get_connection(object_id=page.external_id, connection="insights", metric="page_fans,page_follows")
    assert raised.value.code == 100
    assert raised.value.message == "(#100) The value must be a valid insights metric"


def test_instagram_user_and_media_insights_read_through_pyfacebook(platform_sim):
    # given a published photo
    account = platform_sim.create_account("instagram", followers=900)
    api = instagram_api(platform_sim, account)
    container = api.post_object(
        object_id=account.external_id, connection="media", data={"image_url": "https://cdn.example.com/p.jpg"}
    )
    published = api.post_object(
        object_id=account.external_id, connection="media_publish", data={"creation_id": container["id"]}
    )

    # when
    series = api.user.get_insights(
        metric="reach,follower_count", period="day", since="2026-01-01", until="2026-01-03"
    )
    totals = api.user.get_insights(
        metric="views,profile_views",
        period="day",
        metric_type="total_value",
        since="2026-01-01",
        until="2026-01-03",
    )
    media = api.media.get_insights(media_id=published["id"], metric="views,reach,saved")

    # then pyfacebook's models read values per day, a total_value, and lifetime media values
    assert [(i.name, len(i.values)) for i in series.data] == [("reach", 2), ("follower_count", 2)]
    assert [i.name for i in totals.data] == ["views", "profile_views"]
    assert all(isinstance(i.total_value.value, int) for i in totals.data)
    assert [(i.name, i.period) for i in media.data] == [
        ("views", "lifetime"),
        ("reach", "lifetime"),
        ("saved", "lifetime"),
    ]


def test_instagram_impressions_are_refused_since_v22(platform_sim):
    # given
    account = platform_sim.create_account("instagram")
    api = instagram_api(platform_sim, account)

    # when / then: impressions was replaced by views (gone from every version on 2025-04-21)
    with pytest.raises(FacebookError) as raised:
        api.user.get_insights(metric="impressions", period="day")
    assert raised.value.code == 100
