"""Conformance: atproto 0.0.73 (the Python AT Protocol SDK), default configuration, against the simulator.

Only the base URL is given (`Client(f"{sim.url}/bluesky")`; atproto appends `/xrpc` itself). Each test
is a call the Bluesky connector makes (createSession, refreshSession, getSession, getRecord, uploadBlob,
createRecord, listRecords, deleteRecord) or an error answer, as atproto sees it. The acceptance test at
the end runs ONE script against the simulator and against Bluesky's own PDS (tests/peers) and compares.

The simulator stands for a PDS without an AppView, like the peer: `app.bsky.*` reads (profiles, feeds)
and unknown methods answer what that PDS answers, 400 InvalidRequest "No service configured for <nsid>".
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import httpx
import pytest
from atproto import Client, models
from atproto_client.exceptions import BadRequestError, RateLimitExceededError, UnauthorizedError
from PIL import Image

from tests.conformance.bluesky_sdk_script import TID, normalize, run_atproto_script

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
# Steps of the script where the simulator still differs from the PDS, left out of the comparison on
# purpose (each is named so it stays visible):
KNOWN_DEVIATIONS = {
    # The PDS lets a just-rotated refresh token be used again for a grace period and answers with the
    # same successor session; the simulator kills it at once (channels_app/tests/test_bluesky_sim.py
    # asserts that, and the connector never reuses a refresh token).
    "refresh_again": "refresh token reuse grace period",
}
HANDLE = "conf.test"


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 40, 40)).save(buffer, fmt)
    return buffer.getvalue()


PNG = _image("PNG")
# The start of an ISO base media file (ftyp box, brand isom): what the PDS's sniffer calls video/mp4.
MP4 = bytes.fromhex("0000001c667479706973736f6d0000020069736f6d69736f326d703431") + bytes(64)


@pytest.fixture
def account(platform_sim):
    return platform_sim.create_account("bluesky", handle=HANDLE, options={"app_password": APP_PASSWORD})


@pytest.fixture
def base_url(platform_sim) -> str:
    return platform_sim.url("bluesky")


@pytest.fixture
def client(base_url, account) -> Client:
    client = Client(base_url)
    client.login(HANDLE, APP_PASSWORD, fetch_bsky_profile=False)
    return client


def test_default_login_fails_on_the_app_view_profile_as_on_a_pds_without_app_view(base_url, account):
    # given: atproto's login() also reads app.bsky.actor.getProfile, which a lone PDS does not serve

    # when
    with pytest.raises(BadRequestError) as raised:
        Client(base_url).login(HANDLE, APP_PASSWORD)

    # then: the same XRPC error the real PDS answers (the session itself was created)
    content = raised.value.response.content
    assert (raised.value.response.status_code, content.error, content.message) == (
        400,
        "InvalidRequest",
        "No service configured for app.bsky.actor.getProfile",
    )


def test_login_with_an_app_password_gives_a_did_plc_session(client, account):
    # when
    session = client.com.atproto.server.get_session()

    # then
    assert session.did == account.external_id
    assert session.did.startswith("did:plc:") and len(session.did) == len("did:plc:") + 24
    assert session.handle == HANDLE


def test_refresh_session_rotates_the_refresh_token(base_url, account):
    # given
    client = Client(base_url)
    created = client.com.atproto.server.create_session(
        models.ComAtprotoServerCreateSession.Data(identifier=HANDLE, password=APP_PASSWORD)
    )
    old_refresh = {"Authorization": f"Bearer {created.refresh_jwt}"}

    # when
    refreshed = client.com.atproto.server.refresh_session(headers=old_refresh)

    # then
    assert refreshed.refresh_jwt != created.refresh_jwt
    assert refreshed.access_jwt != created.access_jwt
    assert refreshed.did == account.external_id


def test_the_profile_record_reads_back(client, account):
    # when
    record = client.com.atproto.repo.get_record(
        models.ComAtprotoRepoGetRecord.Params(
            repo=account.external_id, collection="app.bsky.actor.profile", rkey="self"
        )
    )

    # then: a simulated account's display name is its handle
    assert record.value.display_name == account.handle


def test_send_post_read_list_delete(client, account):
    # given
    did = account.external_id

    # when
    post = client.send_post("hello from atproto", profile_identify=did)

    # then: the record key is a TID, and the post reads back, lists and deletes
    repo, collection, rkey = post.uri[len("at://") :].split("/")
    assert (repo, collection) == (did, "app.bsky.feed.post")
    assert TID.match(rkey), rkey
    assert client.get_post(rkey, did).value.text == "hello from atproto"
    listed = client.com.atproto.repo.list_records(
        models.ComAtprotoRepoListRecords.Params(repo=did, collection="app.bsky.feed.post")
    )
    assert [r.uri for r in listed.records] == [post.uri]
    assert client.delete_post(post.uri) is True
    with pytest.raises(BadRequestError) as raised:
        client.get_post(rkey, did)
    assert raised.value.response.content.error == "RecordNotFound"
    assert raised.value.response.content.message == f"Could not locate record: {post.uri}"


def test_send_image_works_although_atproto_declares_any_type(client, account):
    # given: atproto's upload_blob sends Content-Type */*; the PDS sniffs the bytes instead

    # when
    post = client.send_image("a picture", PNG, "a red rectangle", profile_identify=account.external_id)

    # then
    stored = client.get_post(post.uri.rsplit("/", 1)[1], account.external_id)
    assert stored.value.embed.images[0].image.mime_type == "image/png"
    assert stored.value.embed.images[0].alt == "a red rectangle"


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (PNG, "image/png"),
        (_image("JPEG"), "image/jpeg"),
        (_image("GIF"), "image/gif"),
        (_image("WEBP"), "image/webp"),
        (MP4, "video/mp4"),
        (b"not a known file type", "*/*"),  # unsniffable: the PDS keeps the declared type
    ],
    ids=["png", "jpeg", "gif", "webp", "mp4", "unknown"],
)
def test_upload_blob_takes_its_mime_type_from_the_bytes(client, data, mime_type):
    # when
    blob = client.upload_blob(data).blob

    # then
    assert (blob.mime_type, blob.size) == (mime_type, len(data))


def test_a_bad_token_is_invalid_token(base_url, account):
    # when
    with pytest.raises(BadRequestError) as raised:
        Client(base_url).com.atproto.server.get_session(headers={"Authorization": "Bearer not-a-jwt"})

    # then: Bluesky answers 400 (not 401) for a token it cannot verify
    content = raised.value.response.content
    assert (content.error, content.message) == ("InvalidToken", "Token could not be verified")


def test_a_wrong_password_is_401(base_url, account):
    # when / then
    with pytest.raises(UnauthorizedError) as raised:
        Client(base_url).login(HANDLE, "zzzz-zzzz-zzzz-zzzz")
    assert raised.value.response.content.error == "AuthenticationRequired"


@pytest.mark.parametrize("nsid", ["app.bsky.feed.getAuthorFeed", "app.bsky.actor.getProfile", "com.x.nope"])
def test_methods_the_pds_does_not_serve_answer_an_xrpc_error(client, nsid):
    # when
    with pytest.raises(BadRequestError) as raised:
        client.invoke_query(nsid)

    # then
    content = raised.value.response.content
    assert (content.error, content.message) == ("InvalidRequest", f"No service configured for {nsid}")


def test_a_rate_limited_post_carries_the_reset_atproto_reads(platform_sim, client, account):
    # given
    platform_sim.add_fault("rate_limit", platform="bluesky", operation="publish", retry_after=30, count=1)

    # when
    with pytest.raises(RateLimitExceededError) as raised:
        client.send_post("too soon", profile_identify=account.external_id)

    # then: the PDS's RateLimit-* headers, the reset as epoch seconds
    error = raised.value
    assert error.response.content.error == "RateLimitExceeded"
    assert error.response.content.message == "Rate Limit Exceeded"
    assert error.remaining == 0 and error.limit and error.policy
    assert error.reset_at is not None
    assert 25 <= (error.reset_at - datetime.now(UTC)).total_seconds() <= 32


# --- acceptance: the same script against the simulator and Bluesky's own PDS ---


def _set_display_name(peer, account, display_name: str) -> None:
    session = peer.xrpc(
        "POST",
        "com.atproto.server.createSession",
        json={"identifier": account.handle, "password": account.app_password},
    ).json()
    response = peer.xrpc(
        "POST",
        "com.atproto.repo.putRecord",
        token=session["accessJwt"],
        json={
            "repo": account.did,
            "collection": "app.bsky.actor.profile",
            "rkey": "self",
            "record": {"$type": "app.bsky.actor.profile", "displayName": display_name},
        },
    )
    assert response.status_code == 200, response.text


def test_one_atproto_script_gives_the_same_results_on_the_simulator_and_the_real_pds(
    platform_sim, bluesky_pds
):
    # given: the same account name on both servers, and one image
    sim_account = platform_sim.create_account(
        "bluesky", handle="conf.test", options={"app_password": APP_PASSWORD}
    )
    peer_account = bluesky_pds.create_account("conf")
    _set_display_name(bluesky_pds, peer_account, peer_account.handle)  # as a simulated account has

    # when
    on_sim = run_atproto_script(platform_sim.url("bluesky"), sim_account.handle, APP_PASSWORD, PNG)
    on_pds = run_atproto_script(bluesky_pds.pds_url, peer_account.handle, peer_account.app_password, PNG)

    # then
    sim_results = normalize(on_sim["results"], handle=sim_account.handle)
    pds_results = normalize(on_pds["results"], handle=peer_account.handle)
    for step in KNOWN_DEVIATIONS:
        del sim_results[step], pds_results[step]
    for step in pds_results:
        assert sim_results[step] == pds_results[step], step
    assert sim_results == pds_results


def test_the_rate_limit_answer_matches_the_real_pds(platform_sim, bluesky_pds):
    # given: the PDS limits logins per account (30 per 5 minutes); the simulator gets a fault rule
    peer_account = bluesky_pds.create_account("ratelimited")
    sim_account = platform_sim.create_account("bluesky", handle="ratelimited.test")
    platform_sim.add_fault("rate_limit", platform="bluesky", operation="token", retry_after=300)

    def exhaust(base_url: str, handle: str) -> RateLimitExceededError:
        client = Client(base_url)
        wrong = models.ComAtprotoServerCreateSession.Data(identifier=handle, password="zzzz-zzzz-zzzz-zzzz")
        for _ in range(40):
            try:
                client.com.atproto.server.create_session(wrong)
            except RateLimitExceededError as exc:
                return exc
            except UnauthorizedError:
                continue
        raise AssertionError("never rate limited")

    # when
    on_sim = exhaust(platform_sim.url("bluesky"), sim_account.handle)
    on_pds = exhaust(bluesky_pds.pds_url, peer_account.handle)

    # then
    def seen(exc: RateLimitExceededError) -> dict:
        headers = {h for h in exc.response.headers if h.startswith("ratelimit-")}
        reset_in = (exc.reset_at - datetime.now(UTC)).total_seconds() if exc.reset_at else None
        return {
            "status": exc.response.status_code,
            "body": (exc.response.content.error, exc.response.content.message),
            "headers": sorted(headers),
            "remaining": exc.remaining,
            "reset within the window": reset_in is not None and 0 < reset_in <= 301,
        }

    assert seen(on_sim) == seen(on_pds)


def test_a_served_method_called_with_the_wrong_http_method_answers_an_xrpc_error(base_url):
    # when: atproto never does this, but any other client may
    response = httpx.get(f"{base_url}/xrpc/com.atproto.repo.createRecord")

    # then: the PDS's answer, not a bare 404 or 405
    assert (response.status_code, response.json()) == (
        400,
        {"error": "InvalidRequest", "message": "No service configured for com.atproto.repo.createRecord"},
    )
