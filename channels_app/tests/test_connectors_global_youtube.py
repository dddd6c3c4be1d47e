"""YouTube: validation, the resumable upload's request shape, error mapping (MockTransport), and the
daily quota against platform_sim."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient
from channels_app.connectors.registry import connector_for
from channels_app.connectors.youtube.connector import YouTubeConnector, seconds_to_pacific_midnight

from .contract_cases import MP4_BYTES, mp4, png
from .test_connectors_global_errors import answer, wired

CREDS = Credentials(access_token="tok", refresh_token="ref")


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def test_youtube_validation_rules():
    # given
    yt = YouTubeConnector(base_url="https://yt.test")

    # when / then
    assert yt.validate(PostPayload(text="description", title="Title", media=(mp4(),))) == []
    assert rules(yt.validate(PostPayload(text="d", title="T" * 101, media=(mp4(),)))) == {
        "youtube.title_length"
    }
    assert rules(yt.validate(PostPayload(text="a <b> tag", title="T", media=(mp4(),)))) == {
        "youtube.angle_brackets"
    }
    assert rules(yt.validate(PostPayload(text="字" * 1667, title="T", media=(mp4(),)))) == {
        "youtube.description_length"  # 1667 x 3 bytes = 5001 bytes: the limit is in bytes
    }
    assert rules(yt.validate(PostPayload(text="d", title="T", media=(png(),)))) == {
        "youtube.media_required",
        "youtube.media_count",
    }
    assert yt.validate(PostPayload(text="First line is the title\nmore", media=(mp4(),))) == []


def test_youtube_resumable_upload_sends_metadata_then_bytes_and_schedules_natively():
    # given
    def handler(request):
        if request.method == "POST":
            return httpx.Response(
                200, headers={"Location": "https://youtube.test/upload/session?upload_id=S1"}
            )
        return httpx.Response(200, json={"id": "vid123", "status": {"uploadStatus": "uploaded"}})

    yt, sent = wired(YouTubeConnector, handler)
    when = datetime.now(UTC) + timedelta(days=1)

    # when
    result = yt.publish(
        CREDS, PostPayload(text="desc", title="T", media=(mp4(),), options={"scheduled_at": when})
    )

    # then
    init, upload = sent
    assert init.url.path == "/upload/youtube/v3/videos" and init.url.params["uploadType"] == "resumable"
    assert init.headers["x-upload-content-length"] == str(len(MP4_BYTES))
    resource = json.loads(init.content)
    assert resource["snippet"] == {"title": "T", "description": "desc", "tags": [], "categoryId": "22"}
    assert resource["status"]["privacyStatus"] == "private" and resource["status"]["publishAt"].endswith("Z")
    assert upload.method == "PUT" and str(upload.url) == "https://youtube.test/upload/session?upload_id=S1"
    assert upload.content == MP4_BYTES
    assert result.status == "scheduled" and result.url == "https://www.youtube.com/watch?v=vid123"


def yt_error(status, reason):
    return answer(status, {"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}})


@pytest.mark.parametrize(
    ("status", "reason", "error"),
    [
        (401, "authError", AuthExpired),
        (403, "rateLimitExceeded", RateLimited),
        (429, "userRateLimitExceeded", RateLimited),
        (500, "backendError", Transient),
        (400, "invalidTitle", Rejected),
        (403, "forbidden", Rejected),
    ],
)
def test_youtube_error_reasons(status, reason, error):
    # given
    yt, _ = wired(YouTubeConnector, yt_error(status, reason))

    # when / then
    with pytest.raises(error):
        yt.fetch_profile(CREDS)


def test_youtube_daily_quota_waits_until_midnight_pacific():
    # given
    yt, _ = wired(YouTubeConnector, yt_error(403, "quotaExceeded"))

    # when
    with pytest.raises(RateLimited) as raised:
        yt.fetch_profile(CREDS)

    # then
    assert abs(raised.value.retry_after - seconds_to_pacific_midnight()) < 5
    # 07:59 UTC in winter is 23:59 in Los Angeles: one minute to go
    assert seconds_to_pacific_midnight(datetime(2026, 1, 15, 7, 59, tzinfo=UTC)) == 60


def test_youtube_refresh_with_a_revoked_grant_is_auth_expired():
    # given
    yt, _ = wired(
        YouTubeConnector,
        answer(400, {"error": "invalid_grant", "error_description": "Token has been revoked."}),
    )

    # when / then
    with pytest.raises(AuthExpired) as raised:
        yt.refresh(CREDS)
    assert raised.value.revoked


def test_youtube_daily_quota_against_the_simulator(platform_sim):
    # given an account whose quota allows two inserts (1,600 units each)
    account = platform_sim.create_account("youtube", options={"daily_quota": 3200})
    connector = connector_for("youtube")
    credentials = Credentials(access_token=account.access_token, refresh_token=account.refresh_token)
    for n in range(2):
        connector.publish(credentials, PostPayload(text=f"part {n}", title=f"Part {n}", media=(mp4(),)))

    # when / then
    with pytest.raises(RateLimited) as raised:
        connector.publish(credentials, PostPayload(text="part 3", title="Part 3", media=(mp4(),)))
    assert raised.value.platform_code == "quotaExceeded"
    assert platform_sim.posts_created("youtube", account.external_id) == 2
