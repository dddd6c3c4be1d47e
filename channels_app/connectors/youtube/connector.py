"""YouTube Data API v3: Google OAuth 2.0 and resumable `videos.insert`.

Connecting: Google's consent page (`/o/oauth2/v2/auth`, `access_type=offline`, `prompt=consent` so a
refresh token is issued) -> the token endpoint `https://oauth2.googleapis.com/token` (the legacy
accounts.google.com/o/oauth2/token still answers; we do not use it) with `grant_type=authorization_code`;
refresh with `grant_type=refresh_token`, which returns no new refresh token: keep the stored one. Access
tokens last 1 hour. The channel is `GET /youtube/v3/channels?part=snippet,statistics&mine=true`.

Publishing a video: `POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status` with the
video resource as JSON and `X-Upload-Content-Length`/`-Type` -> the upload session URL in `Location` ->
`PUT` the bytes there -> the video resource. `status.privacyStatus=private` + `status.publishAt`
schedules natively. Quota: 10,000 units a day per project, an insert costs about 1,600; `quotaExceeded`
resets at midnight Pacific time. Errors: `{"error": {"code", "message", "errors": [{"reason"}]}}`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    AccountProfile,
    Capabilities,
    Connector,
    Credentials,
    Finding,
    MediaLimits,
    MetricsResult,
    MetricUnavailable,
    MetricValue,
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient, Unknown
from ..facebook.connector import scheduled_at
from ..http import UnreadableAnswer, json_or_empty, need, parse_retry_after
from ..options import BOOL, CHOICE, OptionSpec, tags_option
from .inbound import YouTubeInbound

TITLE_LIMIT = 100
DESCRIPTION_BYTES = 5000
MAX_VIDEO_BYTES = 256 * 1024**3
SCOPES = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly"
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
DAILY_REASONS = {"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"}
PROJECT_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
AUTH_REASONS = {"authError", "invalid_grant", "expired", "revoked"}
PACIFIC = ZoneInfo("America/Los_Angeles")
GOOGLE_ACCOUNTS = "https://accounts.google.com"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


def seconds_to_pacific_midnight(now: datetime | None = None) -> float:
    """YouTube's daily quota resets at midnight Pacific time."""
    now = (now or datetime.now(UTC)).astimezone(PACIFIC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - now).total_seconds())


def title_of(payload: PostPayload) -> str:
    if payload.title:
        return payload.title
    first_line = payload.text.strip().splitlines()[0] if payload.text.strip() else ""
    return first_line[:TITLE_LIMIT]


class YouTubeConnector(YouTubeInbound, Connector):
    platform = "youtube"
    display_name = "YouTube"
    post_options = (
        OptionSpec(
            "privacy_status",
            CHOICE,
            gettext_lazy("Privacy"),
            choices=(
                ("public", gettext_lazy("Public")),
                ("unlisted", gettext_lazy("Unlisted")),
                ("private", gettext_lazy("Private")),
            ),
        ),
        OptionSpec("made_for_kids", BOOL, gettext_lazy("Made for kids")),
        tags_option("tags", gettext_lazy("Tags"), max_items=30, max_length=100),
        OptionSpec(
            "category_id",
            CHOICE,
            gettext_lazy("Category"),
            choices=(
                ("1", gettext_lazy("Film & Animation")),
                ("2", gettext_lazy("Autos & Vehicles")),
                ("10", gettext_lazy("Music")),
                ("15", gettext_lazy("Pets & Animals")),
                ("17", gettext_lazy("Sports")),
                ("19", gettext_lazy("Travel & Events")),
                ("20", gettext_lazy("Gaming")),
                ("22", gettext_lazy("People & Blogs")),
                ("23", gettext_lazy("Comedy")),
                ("24", gettext_lazy("Entertainment")),
                ("25", gettext_lazy("News & Politics")),
                ("26", gettext_lazy("Howto & Style")),
                ("27", gettext_lazy("Education")),
                ("28", gettext_lazy("Science & Technology")),
            ),
        ),
    )
    capabilities = Capabilities(
        text_limit=DESCRIPTION_BYTES,
        text_unit="bytes of description",
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"video"}), max_images=0, max_videos=1, max_video_bytes=MAX_VIDEO_BYTES
        ),
        first_comment=False,
        native_scheduling=True,
        async_publish=False,
        idempotency_key=False,
        auth="oauth2",
        metrics=True,
        inbound_poll=True,
        inbound_reply=True,
        item_actions=frozenset({"hide", "unhide", "delete"}),  # comments.setModerationStatus
    )
    default_retry_after = 60.0

    def count_text(self, text: str) -> int:
        return len(text.encode("utf-8"))

    # --- HTTP ---
    def _send(
        self, method: str, url: str, *, operation: str, token: str = "", unsafe: bool = False, **kwargs
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request(method, url, operation=operation, unsafe=unsafe, headers=headers, **kwargs)

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        status = response.status_code
        if status < 400:
            return None
        body = json_or_empty(response)
        error = body.get("error")
        if isinstance(error, dict):
            reasons = {e.get("reason") for e in error.get("errors") or [] if isinstance(e, dict)}
            message = str(error.get("message") or "")
        else:  # the OAuth endpoint: {"error": "invalid_grant", "error_description": ...}
            reasons = {error} if error else set()
            message = str(body.get("error_description") or error or "")
        message = (message or response.reason_phrase)[:500]
        reason = next(iter(sorted(r for r in reasons if r)), None)
        kwargs = {"platform_code": reason, "platform_message": message, "status_code": status}
        where = f"youtube {operation}: HTTP {status}: {reason or ''} {message}"[:500]
        if reasons & DAILY_REASONS:
            # The project's daily quota is shared by every channel we publish to; a channel's own upload
            # limit is not.
            scope = RateLimited.APP if reasons & PROJECT_QUOTA_REASONS else RateLimited.ACCOUNT
            return RateLimited(where, retry_after=seconds_to_pacific_midnight(), scope=scope, **kwargs)
        if status == 429 or reasons & RATE_REASONS:
            return RateLimited(where, retry_after=parse_retry_after(response.headers, 60.0), **kwargs)
        if status == 401 or reasons & AUTH_REASONS:
            return AuthExpired(where, revoked="invalid_grant" in reasons, **kwargs)
        if status >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        params = {
            "client_id": self.app.get("client_id", ""),
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "state": state,
        }
        if code_challenge:
            params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.auth_base}/o/oauth2/v2/auth?{urlencode(params)}"

    @property
    def token_url(self) -> str:
        """Google's token endpoint lives on its own host (oauth2.googleapis.com), not on the consent
        page's (accounts.google.com); anywhere else (the simulator) it is `<auth_url>/token`."""
        if self.app.get("token_url"):
            return self.app["token_url"]
        if self.auth_base == GOOGLE_ACCOUNTS:
            return GOOGLE_TOKEN_URL
        return f"{self.auth_base}/token"

    def _token(self, data: dict[str, str]) -> TokenSet:
        url = self.token_url
        body = self._send(
            "POST",
            url,
            operation="refresh" if data.get("grant_type") == "refresh_token" else "token",
            data={
                **data,
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
            },
        ).json()
        expires_in = body.get("expires_in")
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),  # Google sends none on refresh: keep the stored one
            expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
            extra={"scope": body.get("scope", "")},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            data["code_verifier"] = code_verifier
        return self._token(data)

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.refresh_token:
            raise AuthExpired(
                "youtube: no refresh token stored (consent without access_type=offline); reconnect"
            )
        return self._token({"grant_type": "refresh_token", "refresh_token": credentials.refresh_token})

    def _channel(self, credentials: Credentials) -> dict:
        body = self._send(
            "GET",
            "/youtube/v3/channels",
            operation="profile",
            token=credentials.access_token,
            params={"part": "snippet,statistics,contentDetails", "mine": "true"},
        ).json()
        if not isinstance(body, dict) or not {"kind", "pageInfo", "items"} & body.keys():
            # (an account without a channel is answered with kind and pageInfo, and no items)
            raise UnreadableAnswer("youtube: the channels answer is not a channel list")
        items = need(body, "items") if "items" in body else []
        if not items:
            raise Rejected("youtube: this Google account has no YouTube channel")
        return items[0]

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        channel = self._channel(credentials)
        snippet = channel.get("snippet") or {}
        stats = channel.get("statistics") or {}
        subscribers = stats.get("subscriberCount")
        return AccountProfile(
            external_id=channel["id"],
            handle=(snippet.get("customUrl") or "").lstrip("@") or snippet.get("title", ""),
            display_name=snippet.get("title", ""),
            avatar_url=((snippet.get("thumbnails") or {}).get("default") or {}).get("url", ""),
            followers=int(subscribers)
            if subscribers is not None and not stats.get("hiddenSubscriberCount")
            else None,
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        title = title_of(payload)
        if not title:
            findings.append(Finding("youtube.title_required", _("A YouTube video needs a title.")))
        if len(title) > TITLE_LIMIT:
            findings.append(
                Finding(
                    "youtube.title_length",
                    _("YouTube titles allow %(limit)s characters; this one has %(used)s.")
                    % {"limit": TITLE_LIMIT, "used": len(title)},
                )
            )
        if "<" in title + payload.text or ">" in title + payload.text:
            findings.append(
                Finding("youtube.angle_brackets", _("YouTube titles and descriptions cannot contain < or >."))
            )
        size = len(payload.text.encode("utf-8"))
        if size > DESCRIPTION_BYTES:
            findings.append(
                Finding(
                    "youtube.description_length",
                    _("YouTube descriptions allow %(limit)s bytes; this one has %(used)s.")
                    % {"limit": DESCRIPTION_BYTES, "used": size},
                )
            )
        videos = [m for m in payload.media if m.kind == "video"]
        if not videos:
            findings.append(Finding("youtube.media_required", _("A YouTube post needs exactly 1 video.")))
        if len(payload.media) > 1 or len(videos) != len(payload.media):
            findings.append(
                Finding("youtube.media_count", _("A YouTube post holds 1 video and nothing else."))
            )
        for item in videos:
            if item.data is None:
                findings.append(
                    Finding(
                        "youtube.media_data",
                        _("%(name)s: YouTube needs the file itself to upload.") % {"name": item.filename},
                    )
                )
            if item.size > MAX_VIDEO_BYTES:
                findings.append(
                    Finding(
                        "youtube.media_size",
                        _("%(name)s is %(size)s bytes; YouTube allows at most %(limit)s bytes.")
                        % {"name": item.filename, "size": item.size, "limit": MAX_VIDEO_BYTES},
                    )
                )
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        video = next((m for m in payload.media if m.kind == "video"), None)
        if video is None or video.data is None:
            raise Rejected("youtube: a YouTube post needs a video file")
        status: dict = {
            "privacyStatus": payload.options.get("privacy_status", "public"),
            "selfDeclaredMadeForKids": bool(payload.options.get("made_for_kids", False)),
        }
        when = scheduled_at(payload)
        if when is not None:
            status |= {
                "privacyStatus": "private",
                "publishAt": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            }
        resource = {
            "snippet": {
                "title": title_of(payload),
                "description": payload.text,
                "tags": list(payload.options.get("tags", [])),
                "categoryId": str(payload.options.get("category_id", "22")),
            },
            "status": status,
        }
        session = self._send(
            "POST",
            "/upload/youtube/v3/videos",
            operation="upload",
            token=token,
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=resource,
            headers={
                "X-Upload-Content-Length": str(len(video.data)),
                "X-Upload-Content-Type": video.content_type or "video/*",
            },
        )
        upload_url = session.headers.get("location")
        if not upload_url:
            raise Transient("youtube upload: no resumable session URL came back")
        body = self._send(
            "PUT",
            upload_url,
            operation="publish",
            token=token,
            unsafe=True,
            content=video.data,
            headers={"Content-Type": video.content_type or "video/*"},
        ).json()
        video_id = body.get("id")
        if not video_id:
            raise Unknown("youtube publish: the upload finished but no video id came back; read the channel")
        return PublishResult(
            status="scheduled" if when is not None else "published",
            external_id=video_id,
            url=f"https://www.youtube.com/watch?v={video_id}",
            raw={"id": video_id, "upload_status": (body.get("status") or {}).get("uploadStatus", "")},
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self._send(
                "DELETE",
                "/youtube/v3/videos",
                operation="delete",
                token=credentials.access_token,
                params={"id": external_id},
            )
        except Rejected as exc:
            if exc.status_code == 404:
                return
            raise

    @staticmethod
    def _remote(video_id: str, snippet: dict) -> RemotePost:
        published = snippet.get("publishedAt")
        return RemotePost(
            external_id=video_id,
            text=f"{snippet.get('title', '')}\n{snippet.get('description', '')}",
            url=f"https://www.youtube.com/watch?v={video_id}",
            created_at=datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        body = self._send(
            "GET",
            "/youtube/v3/videos",
            operation="lookup",
            token=credentials.access_token,
            params={"part": "snippet,status", "id": external_id},
        ).json()
        items = need(body, "items")
        return self._remote(items[0]["id"], items[0].get("snippet") or {}) if items else None

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        channel = self._channel(credentials)
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
        if not uploads:
            return []
        body = self._send(
            "GET",
            "/youtube/v3/playlistItems",
            operation="list",
            token=credentials.access_token,
            params={"part": "snippet,contentDetails", "playlistId": uploads, "maxResults": min(limit, 50)},
        ).json()
        return [
            self._remote((item.get("contentDetails") or {}).get("videoId", ""), item.get("snippet") or {})
            for item in need(body, "items")
        ][:limit]

    # --- metrics ---
    def _analytics_url(self) -> str:
        """The YouTube Analytics API lives on its own host; the simulator serves it on the Data API's mount
        (its /v2/reports path never meets the Data API's /youtube/v3/...)."""
        if self.app.get("analytics_url"):
            return self.app["analytics_url"].rstrip("/")
        if "googleapis.com" in self.base_url:
            return ANALYTICS_HOST
        return self.base_url

    def _report(
        self, credentials: Credentials, metrics: tuple[str, ...], *, operation: str, **params
    ) -> dict:
        return self._send(
            "GET",
            f"{self._analytics_url()}/v2/reports",
            operation=operation,
            token=credentials.access_token,
            params={"ids": "channel==MINE", "metrics": ",".join(metrics), **params},
        ).json()

    def _report_per_group(
        self, credentials, metrics, *, entity, external_id, result, operation, **params
    ) -> list[tuple[tuple[str, ...], dict]]:
        """Ask the group; when YouTube refuses a metric of it ("Unknown identifier"), ask each metric alone
        so the others still arrive. Returns (metrics, answer) pairs."""
        try:
            return [(metrics, self._report(credentials, metrics, operation=operation, **params))]
        except Rejected as exc:
            if "Unknown identifier" not in exc.platform_message:
                raise
            if len(metrics) == 1:
                result.unavailable.append(
                    MetricUnavailable(metrics[0], entity, external_id, "removed", exc.platform_message)
                )
                return []
        answers = []
        for metric in metrics:
            answers += self._report_per_group(
                credentials,
                (metric,),
                entity=entity,
                external_id=external_id,
                result=result,
                operation=operation,
                **params,
            )
        return answers

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """subscriberCount now (Data API, rounded by YouTube), then the Analytics report by day. YouTube's
        analytics arrive two to three days late: a recent day is flagged, a missing one recorded late."""
        result = MetricsResult()
        channel = self._send(
            "GET",
            "/youtube/v3/channels",
            operation="metrics_account",
            token=credentials.access_token,
            params={"part": "statistics", "mine": "true"},
        ).json()
        items = channel.get("items") or []
        channel_id = str(items[0]["id"]) if items else str(credentials.extra.get("channel_id") or "")
        stats = (items[0].get("statistics") or {}) if items else {}
        now = datetime.now(UTC)
        _read_counts(result, stats, CHANNEL_STATISTICS, "account", channel_id, now)
        answers = self._report_per_group(
            credentials,
            CHANNEL_DAY_METRICS,
            entity="account",
            external_id=channel_id,
            result=result,
            operation="metrics_account",
            startDate=since.isoformat(),
            endDate=until.isoformat(),
            dimensions="day",
        )
        for metrics, body in answers:
            columns = [h.get("name") for h in body.get("columnHeaders") or []]
            seen = set()
            for row in body.get("rows") or []:
                values = dict(zip(columns, row, strict=False))
                day = date.fromisoformat(str(values.get("day")))
                seen.add(day)
                end = datetime.combine(day + timedelta(days=1), time.min, UTC)
                late = end > now - ANALYTICS_DELAY
                for metric in metrics:
                    if metric in values:
                        result.values.append(
                            MetricValue(metric, values[metric], "account", channel_id, end, late=late)
                        )
            day = since
            while day <= min(until, now.date()):
                if day not in seen:
                    end = datetime.combine(day + timedelta(days=1), time.min, UTC)
                    reason = "late" if end > now - ANALYTICS_DELAY else "not_offered"
                    for metric in metrics:
                        result.unavailable.append(
                            MetricUnavailable(metric, "account", channel_id, reason, f"no row for {day}")
                        )
                day += timedelta(days=1)
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """statistics (viewCount, likeCount, commentCount) by videos.list, 50 a call; then each video's
        lifetime watch time, average view duration and shares from the Analytics API."""
        result = MetricsResult()
        for start in range(0, len(external_ids), VIDEOS_PER_CALL):
            chunk = external_ids[start : start + VIDEOS_PER_CALL]
            body = self._send(
                "GET",
                "/youtube/v3/videos",
                operation="metrics_post",
                token=credentials.access_token,
                params={"part": "statistics", "id": ",".join(chunk)},
            ).json()
            found = set()
            for item in body.get("items") or []:
                found.add(str(item["id"]))
                _read_counts(
                    result, item.get("statistics") or {}, VIDEO_STATISTICS, "post", str(item["id"]), None
                )
            for video_id in chunk:
                if video_id not in found:
                    for key in VIDEO_STATISTICS:
                        result.unavailable.append(
                            MetricUnavailable(key, "post", video_id, "error", "not returned")
                        )
        today = datetime.now(UTC).date()
        for video_id in external_ids:
            answers = self._report_per_group(
                credentials,
                VIDEO_REPORT_METRICS,
                entity="post",
                external_id=video_id,
                result=result,
                operation="metrics_post",
                startDate=LIFETIME_START,
                endDate=today.isoformat(),
                filters=f"video=={video_id}",
            )
            for metrics, body in answers:
                columns = [h.get("name") for h in body.get("columnHeaders") or []]
                rows = body.get("rows") or []
                values = dict(zip(columns, rows[0], strict=False)) if rows else {}
                for metric in metrics:
                    if metric in values:
                        result.values.append(MetricValue(metric, values[metric], "post", video_id))
                    else:
                        result.unavailable.append(MetricUnavailable(metric, "post", video_id, "not_offered"))
        return result


ANALYTICS_HOST = "https://youtubeanalytics.googleapis.com"
ANALYTICS_DELAY = timedelta(hours=72)  # YouTube Analytics data is typically two to three days behind
LIFETIME_START = "2005-02-14"  # before any video: a report from here to today is the video's lifetime
VIDEOS_PER_CALL = 50
CHANNEL_STATISTICS = ("subscriberCount",)
VIDEO_STATISTICS = ("viewCount", "likeCount", "commentCount")
CHANNEL_DAY_METRICS = ("views", "estimatedMinutesWatched", "averageViewDuration", "subscribersGained")
VIDEO_REPORT_METRICS = ("estimatedMinutesWatched", "averageViewDuration", "shares")


def _read_counts(
    result: MetricsResult,
    body: dict,
    keys: tuple[str, ...],
    entity: str,
    external_id: str,
    at: datetime | None,
) -> None:
    """The Data API sends counts as strings (64-bit numbers in JSON)."""
    for key in keys:
        value = body.get(key)
        if isinstance(value, (int, str)) and str(value).isdigit():
            result.values.append(MetricValue(key, int(value), entity, external_id, period_end=at))
        else:
            missing = MetricUnavailable(key, entity, external_id, "removed", "not in the answer")
            result.unavailable.append(missing)
