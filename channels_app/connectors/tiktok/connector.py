"""TikTok Content Posting API (Direct Post) and Login Kit v2.

Connecting: `https://www.tiktok.com/v2/auth/authorize/` (client_key, scope, state) -> code ->
`POST /v2/oauth/token/` (form: client_key, client_secret, code, grant_type, redirect_uri): access
token 24 h, refresh token 365 days, `open_id` identifies the user.

Publishing a video: `POST /v2/post/publish/creator_info/query/` (privacy options the creator may use,
max duration) -> `POST /v2/post/publish/video/init/` with `post_info` and `source_info` (PULL_FROM_URL
from a verified domain, or FILE_UPLOAD then PUT the bytes to `upload_url` with Content-Range) ->
`publish_id`, processed asynchronously -> `POST /v2/post/publish/status/fetch/` until PUBLISH_COMPLETE
or FAILED. Every answer has `{"data": ..., "error": {"code", "message", "log_id"}}`; `code` is "ok" on
success. Direct Post allows 6 requests per minute per user token (HTTP 429, rate_limit_exceeded). There
is no API to delete a published video.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    AccountProfile,
    Capabilities,
    Connector,
    Credentials,
    Finding,
    MediaItem,
    MediaLimits,
    MetricsResult,
    MetricUnavailable,
    MetricValue,
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import json_or_empty, need, parse_retry_after
from ..options import BOOL, CHOICE, OptionSpec

TITLE_LIMIT = 2200  # UTF-16 code units
SCOPES = "user.info.basic,user.info.stats,video.publish,video.list"  # stats: follower and like counts
MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024
SINGLE_CHUNK_MAX = 64 * 1024 * 1024
CHUNK_SIZE = 10 * 1024 * 1024
DEFAULT_RATE_LIMIT_WAIT = 60.0  # the window is one minute
AUTH_CODES = {"access_token_invalid", "scope_not_authorized", "invalid_grant", "token_expired"}
RATE_CODES = {"rate_limit_exceeded"}
TRANSIENT_CODES = {"internal_error"}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TikTokConnector(Connector):
    platform = "tiktok"
    display_name = "TikTok"
    post_options = (
        OptionSpec(
            "privacy_level",
            CHOICE,
            gettext_lazy("Who can watch"),
            help=gettext_lazy("Empty: everyone where the creator may post publicly."),
            choices=(
                ("PUBLIC_TO_EVERYONE", gettext_lazy("Everyone")),
                ("MUTUAL_FOLLOW_FRIENDS", gettext_lazy("Friends")),
                ("FOLLOWER_OF_CREATOR", gettext_lazy("Followers")),
                ("SELF_ONLY", gettext_lazy("Only me")),
            ),
        ),
        OptionSpec("disable_comment", BOOL, gettext_lazy("Turn off comments")),
        OptionSpec("disable_duet", BOOL, gettext_lazy("Turn off Duet")),
        OptionSpec("disable_stitch", BOOL, gettext_lazy("Turn off Stitch")),
    )
    capabilities = Capabilities(
        text_limit=TITLE_LIMIT,
        text_unit="UTF-16 characters",
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"video"}),
            max_images=0,
            max_videos=1,
            max_video_bytes=MAX_VIDEO_BYTES,
            mixed=False,
        ),
        first_comment=False,
        native_scheduling=False,
        async_publish=True,
        idempotency_key=False,
        auth="oauth2",
        metrics=True,
    )
    default_retry_after = DEFAULT_RATE_LIMIT_WAIT

    def _send(
        self, method: str, url: str, *, operation: str, token: str = "", unsafe: bool = False, **kwargs
    ) -> dict:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.request(method, url, operation=operation, unsafe=unsafe, headers=headers, **kwargs)
        return json_or_empty(response) if response.content else {}

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response) if response.content else {}
        error = body.get("error")
        code = (
            error.get("code") if isinstance(error, dict) else error
        )  # OAuth errors: "error": "invalid_grant"
        status = response.status_code
        if status < 400 and (not code or code == "ok"):
            return None
        message = (error.get("message") if isinstance(error, dict) else body.get("error_description")) or ""
        message = str(message or response.reason_phrase)[:500]
        kwargs = {"platform_code": code, "platform_message": message, "status_code": status}
        where = f"tiktok {operation}: {code or status}: {message}"[:500]
        if status == 429 or code in RATE_CODES:
            return RateLimited(
                where, retry_after=parse_retry_after(response.headers, DEFAULT_RATE_LIMIT_WAIT), **kwargs
            )
        if status == 401 or code in AUTH_CODES:
            return AuthExpired(where, revoked=code in ("scope_not_authorized", "invalid_grant"), **kwargs)
        if status >= 500 or code in TRANSIENT_CODES:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        params = {
            "client_key": self.app.get("client_id", ""),
            "scope": SCOPES,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{auth_base}/v2/auth/authorize/?{urlencode(params)}"

    def _token(self, data: dict[str, str]) -> TokenSet:
        body = self._send(
            "POST",
            "/v2/oauth/token/",
            operation="refresh" if data.get("grant_type") == "refresh_token" else "token",
            data={
                **data,
                "client_key": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
            },
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        now = datetime.now(UTC)
        expires_in = body.get("expires_in")
        refresh_in = body.get("refresh_expires_in")
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
            refresh_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
            extra={"open_id": body.get("open_id", ""), "scope": body.get("scope", "")},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        data = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
        if code_verifier:
            data["code_verifier"] = code_verifier
        return self._token(data)

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired("tiktok: no refresh token stored; reconnect")
        return self._token({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self._send(
            "GET",
            "/v2/user/info/",
            operation="profile",
            token=credentials.access_token,
            params={"fields": "open_id,union_id,avatar_url,display_name,username,follower_count"},
        )
        user = (body.get("data") or {}).get("user") or {}
        return AccountProfile(
            external_id=str(user["open_id"]),
            handle=user.get("username") or user.get("display_name", ""),
            display_name=user.get("display_name", ""),
            avatar_url=user.get("avatar_url", ""),
            followers=user.get("follower_count"),
        )

    # --- content ---
    def count_text(self, text: str) -> int:
        return utf16_length(text)

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        length = utf16_length(payload.text)
        if length > TITLE_LIMIT:
            findings.append(
                Finding(
                    "tiktok.caption_length",
                    _("TikTok captions allow %(limit)s characters; this one has %(used)s.")
                    % {"limit": TITLE_LIMIT, "used": length},
                )
            )
        videos = [m for m in payload.media if m.kind == "video"]
        if not videos:
            findings.append(Finding("tiktok.media_required", _("A TikTok post needs exactly 1 video.")))
        if len(payload.media) > 1 or len(videos) != len(payload.media):
            findings.append(Finding("tiktok.media_count", _("A TikTok post holds 1 video and nothing else.")))
        for item in videos:
            if item.size > MAX_VIDEO_BYTES:
                findings.append(
                    Finding(
                        "tiktok.media_size",
                        _("%(name)s is %(size)s bytes; TikTok videos may be at most %(limit)s bytes.")
                        % {"name": item.filename, "size": item.size, "limit": MAX_VIDEO_BYTES},
                    )
                )
            if not item.url and item.data is None:
                findings.append(
                    Finding(
                        "tiktok.media_data",
                        _("%(name)s: TikTok needs a public URL or the file itself.")
                        % {"name": item.filename},
                    )
                )
        return findings

    def creator_info(self, credentials: Credentials) -> dict:
        body = self._send(
            "POST",
            "/v2/post/publish/creator_info/query/",
            operation="creator_info",
            token=credentials.access_token,
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
        return body.get("data") or {}

    def _privacy(self, payload: PostPayload, info: dict) -> str:
        options = info.get("privacy_level_options") or ["SELF_ONLY"]
        wanted = payload.options.get("privacy_level")
        if wanted:
            if wanted not in options:
                raise Rejected(
                    f"tiktok: privacy level {wanted} is not offered to this creator ({', '.join(options)})"
                )
            return wanted
        return "PUBLIC_TO_EVERYONE" if "PUBLIC_TO_EVERYONE" in options else options[0]

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        video = next((m for m in payload.media if m.kind == "video"), None)
        if video is None:
            raise Rejected("tiktok: a TikTok post needs a video")
        info = self.creator_info(credentials)
        post_info = {
            "title": payload.text,
            "privacy_level": self._privacy(payload, info),
            "disable_duet": bool(payload.options.get("disable_duet", False)),
            "disable_comment": bool(payload.options.get("disable_comment", False)),
            "disable_stitch": bool(payload.options.get("disable_stitch", False)),
            # Content Posting API: a paid partnership is labelled "Paid partnership" by TikTok.
            "brand_content_toggle": bool(payload.paid_or_kol),
        }
        if video.url:
            source = {"source": "PULL_FROM_URL", "video_url": video.url}
        else:
            size = len(video.data or b"")
            chunk = size if size <= SINGLE_CHUNK_MAX else CHUNK_SIZE
            source = {
                "source": "FILE_UPLOAD",
                "video_size": size,
                "chunk_size": chunk,
                "total_chunk_count": max(1, size // chunk) if chunk else 1,
            }
        body = self._send(
            "POST",
            "/v2/post/publish/video/init/",
            operation="publish",
            token=token,
            unsafe=True,
            json={"post_info": post_info, "source_info": source},
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
        data = body.get("data") or {}
        publish_id = data["publish_id"]
        if source["source"] == "FILE_UPLOAD":
            self._upload(data["upload_url"], video, source["chunk_size"], source["total_chunk_count"])
        return self.publish_status(
            credentials, PublishResult(status="pending", raw={"publish_id": publish_id})
        )

    def _upload(self, upload_url: str, video: MediaItem, chunk_size: int, count: int) -> None:
        data = video.data or b""
        total = len(data)
        for index in range(count):
            start = index * chunk_size
            end = total if index == count - 1 else start + chunk_size  # the last chunk takes the rest
            self._send(
                "PUT",
                upload_url,
                operation="upload",
                content=data[start:end],
                headers={
                    "Content-Type": video.content_type or "video/mp4",
                    "Content-Range": f"bytes {start}-{end - 1}/{total}",
                },
            )

    def publish_status(self, credentials: Credentials, pending: PublishResult) -> PublishResult:
        publish_id = pending.raw["publish_id"]
        body = self._send(
            "POST",
            "/v2/post/publish/status/fetch/",
            operation="publish_status",
            token=credentials.access_token,
            json={"publish_id": publish_id},
            headers={"Content-Type": "application/json; charset=UTF-8"},
        )
        data = need(body, "data", kind=dict)
        status = need(data, "status", kind=str)
        if status == "FAILED":
            reason = data.get("fail_reason", "")
            raise Rejected(f"tiktok: publishing failed ({reason})", platform_code=reason)
        if status != "PUBLISH_COMPLETE":
            return PublishResult(status="pending", raw={"publish_id": publish_id, "tiktok_status": status})
        ids = data.get("publicaly_available_post_id") or data.get("publicly_available_post_id") or []
        # A SELF_ONLY post has no public id; the publish_id is then all we can keep.
        external_id = str(ids[0]) if ids else publish_id
        handle = credentials.extra.get("handle", "")
        url = f"https://www.tiktok.com/@{handle}/video/{external_id}" if ids and handle else ""
        return PublishResult(
            status="published", external_id=external_id, url=url, raw={"publish_id": publish_id}
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        raise Rejected("tiktok: TikTok offers no API to delete a video; delete it in the TikTok app")

    def _remote(self, data: dict) -> RemotePost:
        created = data.get("create_time")
        return RemotePost(
            external_id=str(data["id"]),
            text=data.get("title") or data.get("video_description", ""),
            url=data.get("share_url", ""),
            created_at=datetime.fromtimestamp(int(created), tz=UTC) if created else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        body = self._send(
            "POST",
            "/v2/video/query/",
            operation="lookup",
            token=credentials.access_token,
            params={"fields": "id,title,video_description,create_time,share_url"},
            json={"filters": {"video_ids": [external_id]}},
        )
        videos = need(body, "data", "videos")
        return self._remote(videos[0]) if videos else None

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self._send(
            "POST",
            "/v2/video/list/",
            operation="list",
            token=credentials.access_token,
            params={"fields": "id,title,video_description,create_time,share_url"},
            json={"max_count": min(limit, 20)},
        )
        return [self._remote(v) for v in need(body, "data", "videos")][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """TikTok keeps no daily account history for us: user.info.stats now (followers, total likes,
        videos), stamped with the moment read (scope user.info.stats)."""
        body = self._send(
            "GET",
            "/v2/user/info/",
            operation="metrics_account",
            token=credentials.access_token,
            params={"fields": ",".join(("open_id", *USER_STATS))},
        )
        user = (body.get("data") or {}).get("user") or {}
        open_id = str(user.get("open_id") or credentials.extra.get("open_id") or "")
        result = MetricsResult()
        _read_counts(result, user, USER_STATS, "account", open_id, datetime.now(UTC))
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """view_count, like_count, comment_count, share_count by /v2/video/query/, 20 videos a call; a video
        TikTok does not return (deleted, private) is recorded, the others still arrive."""
        result = MetricsResult()
        for start in range(0, len(external_ids), VIDEOS_PER_CALL):
            chunk = external_ids[start : start + VIDEOS_PER_CALL]
            body = self._send(
                "POST",
                "/v2/video/query/",
                operation="metrics_post",
                token=credentials.access_token,
                params={"fields": ",".join(("id", *VIDEO_METRICS))},
                json={"filters": {"video_ids": chunk}},
            )
            found = set()
            for video in (body.get("data") or {}).get("videos") or []:
                found.add(str(video.get("id")))
                _read_counts(result, video, VIDEO_METRICS, "post", str(video.get("id")), None)
            for video_id in chunk:
                if video_id not in found:
                    for key in VIDEO_METRICS:
                        gone = MetricUnavailable(
                            key, "post", video_id, "error", "not returned by video/query"
                        )
                        result.unavailable.append(gone)
        return result


VIDEOS_PER_CALL = 20
VIDEO_METRICS = ("view_count", "like_count", "comment_count", "share_count")
USER_STATS = ("follower_count", "likes_count", "video_count")


def _read_counts(
    result: MetricsResult,
    body: dict,
    keys: tuple[str, ...],
    entity: str,
    external_id: str,
    at: datetime | None,
) -> None:
    for key in keys:
        if isinstance(body.get(key), int):
            result.values.append(MetricValue(key, body[key], entity, external_id, period_end=at))
        else:
            missing = MetricUnavailable(key, entity, external_id, "removed", "not in the answer")
            result.unavailable.append(missing)
