"""The simulated YouTube Data API v3 as Google's own clients see it: google-api-python-client 2.202.0
built from the discovery document it ships, with google-auth credentials refreshed at the simulator's
token endpoint, for every call our YouTube connector makes.

Uploads need `build(http=...)`; `sdk_x_youtube` explains why."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError, ResumableUploadError
from googleapiclient.http import MediaFileUpload, MediaIoBaseUpload

from channels_app.connectors.base import Credentials as ConnectorCredentials
from channels_app.connectors.youtube.connector import YouTubeConnector
from channels_app.tests.test_connectors_global_errors import wired

from .sdk_x_youtube import mp4_bytes, youtube_service

CLIENT_ID = "sim-youtube-client"
CLIENT_SECRET = "sim-youtube-secret"
SCOPES = [
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
]
VIDEO = {
    "snippet": {
        "title": "Packing orders",
        "description": "How we pack",
        "tags": ["kawo"],
        "categoryId": "22",
    },
    "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
}


@pytest.fixture
def account(platform_sim):
    return platform_sim.create_account("youtube")


def google_credentials(
    platform_sim, account, *, token: str | None = None, path: str = "token"
) -> Credentials:
    return Credentials(
        token=token,
        refresh_token=account.refresh_token,
        token_uri=f"{platform_sim.url('youtube')}/{path}",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=SCOPES,
    )


@pytest.fixture
def youtube(platform_sim, account):
    return youtube_service(platform_sim.base_url, google_credentials(platform_sim, account))


def insert_resumable(youtube, media) -> dict:
    request = youtube.videos().insert(part="snippet,status", body=VIDEO, media_body=media)
    response = None
    while response is None:
        _, response = request.next_chunk()
    return response


# --- tokens ---


def test_google_auth_refreshes_at_the_current_token_endpoint(platform_sim, account):
    # given
    credentials = google_credentials(platform_sim, account)

    # when
    credentials.refresh(Request())

    # then
    assert credentials.valid and credentials.token
    assert credentials.refresh_token == account.refresh_token  # Google sends no new refresh token
    assert (
        timedelta(minutes=59)
        < credentials.expiry - datetime.now(UTC).replace(tzinfo=None)
        <= timedelta(hours=1)
    )
    assert platform_sim.refresh_calls("youtube", account.external_id) == 1


def test_the_legacy_token_endpoint_still_answers(platform_sim, account):
    # given: Google still accepts accounts.google.com/o/oauth2/token
    credentials = google_credentials(platform_sim, account, path="o/oauth2/token")

    # when
    credentials.refresh(Request())

    # then
    assert credentials.valid


def test_a_code_is_exchanged_at_the_current_token_endpoint(platform_sim, account):
    # given: the documented form post of Google's web-server flow (google-auth has no code exchange)
    code = platform_sim.authorize(
        "youtube", account.external_id, redirect_uri="https://kawo.example/cb", client_id=CLIENT_ID
    )

    # when
    answer = httpx.post(
        f"{platform_sim.url('youtube')}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": "https://kawo.example/cb",
        },
    )

    # then
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["refresh_token"]


def test_a_revoked_refresh_token_fails_the_refresh_with_invalid_grant(platform_sim, account):
    # given
    platform_sim.revoke_token(token=account.refresh_token)

    # when
    with pytest.raises(RefreshError) as raised:
        google_credentials(platform_sim, account).refresh(Request())

    # then
    assert "invalid_grant" in str(raised.value)


def test_the_connector_uses_googles_current_token_endpoint():
    # given
    def token_answer(request):
        return httpx.Response(200, json={"access_token": "new", "expires_in": 3600, "token_type": "Bearer"})

    production, sent = wired(YouTubeConnector, token_answer)
    production.app["auth_url"] = "https://accounts.google.com"
    simulated, sent_to_sim = wired(YouTubeConnector, token_answer)
    simulated.app["auth_url"] = "http://127.0.0.1:8100/youtube"

    # when
    production.refresh(ConnectorCredentials(access_token="old", refresh_token="r"))
    simulated.refresh(ConnectorCredentials(access_token="old", refresh_token="r"))

    # then
    assert str(sent[0].url) == "https://oauth2.googleapis.com/token"
    assert str(sent_to_sim[0].url) == "http://127.0.0.1:8100/youtube/token"


# --- channel ---


def test_channels_list_mine_names_one_channel_id_everywhere(youtube, account):
    # when
    answer = youtube.channels().list(part="snippet,statistics,contentDetails", mine=True).execute()

    # then
    [channel] = answer["items"]
    channel_id = channel["id"]
    assert channel_id == account.external_id and channel_id.startswith("UC") and len(channel_id) == 24
    assert channel["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + channel_id[2:]
    assert channel_id in channel["snippet"]["thumbnails"]["default"]["url"]
    assert channel["statistics"]["subscriberCount"] == "0"


# --- uploads ---


def test_resumable_insert_with_media_file_upload(youtube, account, tmp_path):
    # given: MediaFileUpload sends no Content-Type on the PUT, as Google accepts
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4_bytes(4096))

    # when
    video = insert_resumable(youtube, MediaFileUpload(str(path), mimetype="video/mp4", resumable=True))

    # then
    assert video["kind"] == "youtube#video" and len(video["id"]) == 11
    assert video["snippet"]["title"] == "Packing orders"
    assert video["snippet"]["channelId"] == account.external_id
    assert video["status"]["uploadStatus"] == "uploaded"


def test_resumable_insert_in_chunks_resumes_after_each_308(platform_sim, youtube, account):
    # given: three 256 KiB chunks and a short last one
    data = mp4_bytes(3 * 256 * 1024 + 1000)
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="video/mp4", chunksize=256 * 1024, resumable=True)

    # when
    video = insert_resumable(youtube, media)

    # then
    [stored] = platform_sim.posts("youtube", account.external_id)
    assert stored["id"] == video["id"]
    assert stored["media"][0]["size"] == len(data)
    assert platform_sim.posts_created("youtube", account.external_id) == 1


def test_a_resumable_upload_resumes_after_a_failed_chunk(platform_sim, youtube, account):
    # given: the first chunk's PUT fails; googleapiclient then asks where the upload stands
    # (`Content-Range: bytes */total`) and carries on from there
    data = mp4_bytes(2 * 256 * 1024 + 10)
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="video/mp4", chunksize=256 * 1024, resumable=True)
    request = youtube.videos().insert(part="snippet,status", body=VIDEO, media_body=media)
    platform_sim.add_fault("server_error", platform="youtube", operation="publish", status=503, count=1)
    with pytest.raises(HttpError):
        request.next_chunk()

    # when
    response = None
    while response is None:
        _, response = request.next_chunk()

    # then
    [stored] = platform_sim.posts("youtube", account.external_id)
    assert stored["id"] == response["id"] and stored["media"][0]["size"] == len(data)


def test_multipart_insert_sends_metadata_and_bytes_in_one_request(platform_sim, youtube, account):
    # given: a non-resumable upload with a body is uploadType=multipart (multipart/related)
    data = mp4_bytes(2048)
    media = MediaIoBaseUpload(io.BytesIO(data), mimetype="video/mp4", resumable=False)

    # when
    video = youtube.videos().insert(part="snippet,status", body=VIDEO, media_body=media).execute()

    # then
    assert video["snippet"]["title"] == "Packing orders" and video["snippet"]["tags"] == ["kawo"]
    [stored] = platform_sim.posts("youtube", account.external_id)
    assert stored["id"] == video["id"] and stored["media"][0]["size"] == len(data)


# --- reading back, listing, deleting ---


def test_videos_list_reads_an_upload_back_by_id(youtube):
    # given
    video = (
        youtube.videos()
        .insert(
            part="snippet,status",
            body=VIDEO,
            media_body=MediaIoBaseUpload(io.BytesIO(mp4_bytes(1024)), "video/mp4"),
        )
        .execute()
    )

    # when
    answer = youtube.videos().list(part="snippet,status", id=video["id"]).execute()

    # then
    [item] = answer["items"]
    assert item["id"] == video["id"] and item["snippet"]["description"] == "How we pack"
    assert answer["pageInfo"]["totalResults"] == 1


def test_playlist_items_of_the_uploads_playlist_list_newest_first(youtube):
    # given
    ids = [
        youtube.videos()
        .insert(
            part="snippet,status",
            body=VIDEO,
            media_body=MediaIoBaseUpload(io.BytesIO(mp4_bytes(1024)), "video/mp4"),
        )
        .execute()["id"]
        for _ in range(2)
    ]
    channel = youtube.channels().list(part="contentDetails", mine=True).execute()["items"][0]
    uploads = channel["contentDetails"]["relatedPlaylists"]["uploads"]

    # when
    answer = (
        youtube.playlistItems()
        .list(part="snippet,contentDetails", playlistId=uploads, maxResults=5)
        .execute()
    )

    # then
    assert [item["contentDetails"]["videoId"] for item in answer["items"]] == list(reversed(ids))
    first = answer["items"][0]["snippet"]
    assert first["playlistId"] == uploads and first["resourceId"] == {
        "kind": "youtube#video",
        "videoId": ids[-1],
    }


def test_videos_delete_then_the_video_is_gone_and_a_second_delete_is_404(youtube):
    # given
    video_id = (
        youtube.videos()
        .insert(
            part="snippet,status",
            body=VIDEO,
            media_body=MediaIoBaseUpload(io.BytesIO(mp4_bytes(1024)), "video/mp4"),
        )
        .execute()["id"]
    )

    # when
    youtube.videos().delete(id=video_id).execute()
    with pytest.raises(HttpError) as raised:
        youtube.videos().delete(id=video_id).execute()

    # then
    assert youtube.videos().list(part="snippet", id=video_id).execute()["items"] == []
    assert raised.value.status_code == 404
    assert raised.value.error_details[0]["reason"] == "videoNotFound"


# --- errors ---


def test_an_expired_token_is_refreshed_by_the_client_and_the_call_succeeds(platform_sim, account):
    # given: a stale access token; google-auth refreshes on a 401 and retries
    youtube = youtube_service(platform_sim.base_url, google_credentials(platform_sim, account, token="stale"))

    # when
    answer = youtube.channels().list(part="snippet", mine=True).execute()

    # then
    assert answer["items"][0]["id"] == account.external_id
    assert platform_sim.refresh_calls("youtube", account.external_id) == 1


def test_a_token_refused_after_refreshing_raises_http_error_401(platform_sim, account, youtube):
    # given: every attempt refused, the first and both retries after a refresh
    platform_sim.add_fault("token_revoked", platform="youtube", operation="profile", count=3)

    # when
    with pytest.raises(HttpError) as raised:
        youtube.channels().list(part="snippet", mine=True).execute()

    # then
    assert raised.value.status_code == 401
    assert raised.value.reason.startswith("Request had invalid authentication credentials.")
    assert raised.value.error_details[0]["message"] == "Invalid Credentials"
    assert raised.value.error_details[0]["reason"] == "authError"
    assert platform_sim.refresh_calls("youtube", account.external_id) == 3  # first token, two retries


def test_the_daily_quota_raises_403_quota_exceeded(platform_sim, account, youtube):
    # given
    platform_sim.set_options("youtube", account.external_id, daily_quota=1000)

    # when
    with pytest.raises(ResumableUploadError) as raised:
        insert_resumable(youtube, MediaIoBaseUpload(io.BytesIO(mp4_bytes(1024)), "video/mp4", resumable=True))

    # then
    assert raised.value.status_code == 403
    assert raised.value.error_details[0] == {
        "message": "The request cannot be completed because you have exceeded your quota.",
        "domain": "youtube.quota",
        "reason": "quotaExceeded",
    }
    assert platform_sim.posts_created("youtube", account.external_id) == 0


def test_a_rate_limit_raises_429_with_retry_after(platform_sim, youtube):
    # given
    platform_sim.add_fault("rate_limit", platform="youtube", operation="lookup", retry_after=30, count=1)

    # when
    with pytest.raises(HttpError) as raised:
        youtube.videos().list(part="snippet", id="dQw4w9WgXcQ").execute()

    # then
    assert raised.value.status_code == 429
    assert raised.value.error_details[0]["reason"] == "rateLimitExceeded"
    assert raised.value.resp["retry-after"] == "30"


def test_the_projects_quota_as_an_app_wide_limit_is_403_quota_exceeded(platform_sim, youtube):
    # given
    platform_sim.add_fault("rate_limit", platform="youtube", operation="lookup", scope="app", count=1)

    # when
    with pytest.raises(HttpError) as raised:
        youtube.videos().list(part="snippet", id="dQw4w9WgXcQ").execute()

    # then
    assert raised.value.status_code == 403
    assert raised.value.error_details[0]["reason"] == "quotaExceeded"


# --- metrics ---


def youtube_analytics(platform_sim, account):
    """`youtubeAnalytics` v2 from the discovery document google-api-python-client ships; the simulator
    serves youtubeanalytics.googleapis.com's /v2/reports on the YouTube mount."""
    return build(
        "youtubeAnalytics",
        "v2",
        static_discovery=True,
        credentials=google_credentials(platform_sim, account),
        client_options={"api_endpoint": f"{platform_sim.url('youtube')}/"},
        cache_discovery=False,
    )


def test_videos_list_statistics_and_analytics_reports_query(platform_sim, youtube, account):
    # given a video
    video = insert_resumable(
        youtube, MediaIoBaseUpload(io.BytesIO(mp4_bytes(4096)), "video/mp4", resumable=True)
    )
    analytics = youtube_analytics(platform_sim, account)
    today = datetime.now(UTC).date()

    # when: the Data API's statistics, the channel's report by day, and the video's lifetime report
    statistics = youtube.videos().list(part="statistics", id=video["id"]).execute()
    by_day = (
        analytics.reports()
        .query(
            ids="channel==MINE",
            startDate=(today - timedelta(days=2)).isoformat(),
            endDate=today.isoformat(),
            metrics="views,estimatedMinutesWatched,averageViewDuration,subscribersGained",
            dimensions="day",
        )
        .execute()
    )
    lifetime = (
        analytics.reports()
        .query(
            ids="channel==MINE",
            startDate="2005-02-14",
            endDate=today.isoformat(),
            metrics="estimatedMinutesWatched,averageViewDuration,shares",
            filters=f"video=={video['id']}",
        )
        .execute()
    )

    # then counts are strings in the Data API, numbers in the Analytics table
    [item] = statistics["items"]
    assert set(item["statistics"]) == {"viewCount", "likeCount", "favoriteCount", "commentCount"}
    assert all(value.isdigit() for value in item["statistics"].values())
    assert [h["name"] for h in by_day["columnHeaders"]] == [
        "day",
        "views",
        "estimatedMinutesWatched",
        "averageViewDuration",
        "subscribersGained",
    ]
    assert [row[0] for row in by_day["rows"]] == [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    assert len(lifetime["rows"]) == 1 and all(isinstance(v, int) for v in lifetime["rows"][0])


def test_an_unknown_analytics_metric_is_a_400_for_the_whole_report(platform_sim, account):
    # given
    analytics = youtube_analytics(platform_sim, account)

    # when / then
    with pytest.raises(HttpError) as raised:
        analytics.reports().query(
            ids="channel==MINE", startDate="2026-01-01", endDate="2026-01-02", metrics="views,impressions"
        ).execute()
    assert raised.value.resp.status == 400
    assert "Unknown identifier (impressions)" in str(raised.value)
