"""Kuaishou: OAuth2 (code valid 2 minutes, access token 48 h, refresh token 180 days; the documentation
says lifetimes are not fixed, so we trust `expires_in`) and video publishing with scope
user_video_publish: photo/start_upload -> upload to the returned endpoint -> photo/publish.

Files up to 10 MB go up in one multipart request; larger ones in fragments (fragment, then complete).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlparse

import httpx
from django.utils.translation import gettext_lazy

from .. import cn_metrics as cn
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
    standard_findings,
)
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import json_or_empty, need, parse_retry_after
from ..options import cover_frame_option, cover_image_option, title_option, titled_text

AUTH_CODES = {100200102, 100200103, 100200104}
REVOKED_CODES = {100200104}
RATE_CODES = {100200110}
TRANSIENT_CODES = {100200500}
NOT_FOUND = 100200106
# photo/list and photo/info carry each video's counts; the open platform has no account analytics by day
VIDEO_KEYS = ("view_count", "like_count", "comment_count")
LIST_MAX = 200
SCOPES = "user_info,user_video_publish"
SINGLE_UPLOAD_BYTES = 10 * 1024 * 1024
FRAGMENT_BYTES = 5 * 1024 * 1024  # (y)
TITLE_LIMIT = 30  # (y) photo/publish has one `caption`: the variant's title goes first in it


def _when(seconds) -> datetime | None:
    seconds = int(seconds or 0)
    return datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None


class KuaishouConnector(Connector):
    platform = "kuaishou"
    display_name = "Kuaishou"
    post_options = (
        title_option(
            TITLE_LIMIT,
            gettext_lazy("Video title"),
            gettext_lazy("Sent first in the caption, on a line of its own."),
        ),
        cover_frame_option(),
        cover_image_option(gettext_lazy("Uploaded as the video's cover (the chosen frame, or your own).")),
    )
    capabilities = Capabilities(
        text_limit=500,  # (y) caption length; not stated in the documentation we could read
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"video"}), max_images=0, max_videos=1, max_video_bytes=4 * 1024 * 1024 * 1024
        ),
        auth="oauth2",
        metrics=True,
    )

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response)
        code = body.get("result")
        if code in (None, 1):
            return None
        message = str(body.get("error_msg", ""))
        where = f"kuaishou {operation}: {code} {message}"
        kwargs = {"platform_code": code, "platform_message": message, "status_code": response.status_code}
        if code in AUTH_CODES:
            return AuthExpired(where, revoked=code in REVOKED_CODES, **kwargs)
        if code in RATE_CODES or response.status_code == 429:
            return RateLimited(
                where, retry_after=parse_retry_after(response.headers, self.default_retry_after), **kwargs
            )
        if code in TRANSIENT_CODES or response.status_code >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    @property
    def _app_id(self) -> str:
        return self.app.get("client_id", "")

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        query = {
            "app_id": self._app_id,
            "scope": SCOPES,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{self.auth_base}/oauth2/authorize?{urlencode(query)}"

    def _token_set(self, body: dict) -> TokenSet:
        return TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=_when(body.get("expires_in")),
            refresh_expires_at=_when(body.get("refresh_token_expires_in")),
            extra={"open_id": body["open_id"]} if body.get("open_id") else {},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        body = self.request(
            "GET",
            f"{self.auth_base}/oauth2/access_token",
            operation="token",
            params={
                "app_id": self._app_id,
                "app_secret": self.app.get("client_secret", ""),
                "code": code,
                "grant_type": "authorization_code",
            },
        ).json()
        return self._token_set(body)

    def refresh(self, credentials: Credentials) -> TokenSet:
        body = self.request(
            "GET",
            f"{self.auth_base}/oauth2/refresh_token",
            operation="refresh",
            params={
                "app_id": self._app_id,
                "app_secret": self.app.get("client_secret", ""),
                "refresh_token": credentials.refresh_token,
                "grant_type": "refresh_token",
            },
        ).json()
        return self._token_set(body)

    def _params(self, credentials: Credentials, **extra) -> dict:
        return {"app_id": self._app_id, "access_token": credentials.access_token, **extra}

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self.request(
            "GET", "openapi/user_info", operation="profile", params=self._params(credentials)
        ).json()
        info = need(body, "user_info", kind=dict)
        return AccountProfile(
            external_id=str(credentials.extra.get("open_id", "")),  # user_info carries no id; open_id is ours
            handle=info.get("name", ""),
            display_name=info.get("name", ""),
            avatar_url=info.get("head", ""),
            followers=info.get("fan"),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        return standard_findings(self, payload)

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        video = next((m for m in payload.media if m.kind == "video"), None)
        if video is None:
            raise Rejected("kuaishou publish: a post needs a video")
        started = self.request(
            "POST", "openapi/photo/start_upload", operation="upload", params=self._params(credentials)
        ).json()
        self._upload(started["endpoint"], started["upload_token"], video)
        files = {"caption": (None, titled_text(payload))}
        # options["cover"] names a library image by id; the payload carries that file (option_media)
        cover = payload.option_media.get("cover")
        if cover is not None:
            files["cover"] = (
                cover.filename or "cover.jpg",
                cover.data or b"",
                cover.content_type or "image/jpeg",
            )
        body = self.request(
            "POST",
            "openapi/photo/publish",
            operation="publish",
            unsafe=True,
            params=self._params(credentials, upload_token=started["upload_token"]),
            files=files,
        ).json()
        info = body["video_info"]
        return PublishResult(
            status="published",
            external_id=info["photo_id"],
            url=info.get("play_url", ""),
            raw={"photo_id": info["photo_id"]},
        )

    def _upload(self, endpoint: str, upload_token: str, video) -> None:
        scheme = urlparse(self.base_url).scheme or "https"
        host = f"{scheme}://{endpoint}/api/upload"
        data = video.data or b""
        if len(data) <= SINGLE_UPLOAD_BYTES:
            files = {"file": (video.filename or "video.mp4", data, video.content_type or "video/mp4")}
            self.request(
                "POST",
                f"{host}/multipart",
                operation="upload",
                params={"upload_token": upload_token},
                files=files,
            )
            return
        count = 0
        for count, start in enumerate(range(0, len(data), FRAGMENT_BYTES), start=1):
            self.request(
                "POST",
                f"{host}/fragment",
                operation="upload",
                params={"upload_token": upload_token, "fragment_id": count - 1},
                content=data[start : start + FRAGMENT_BYTES],
            )
        self.request(
            "POST",
            f"{host}/complete",
            operation="upload",
            params={"upload_token": upload_token, "fragment_count": count},
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        self.request(
            "POST",
            "openapi/photo/delete",
            operation="delete",
            params=self._params(credentials, photo_id=external_id),
        )

    @staticmethod
    def _remote(info: dict) -> RemotePost:
        created = info.get("create_time")
        return RemotePost(
            external_id=info["photo_id"],
            text=info.get("caption", ""),
            url=info.get("play_url", ""),
            created_at=datetime.fromtimestamp(created / 1000, UTC) if created else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            body = self.request(
                "GET",
                "openapi/photo/info",
                operation="lookup",
                params=self._params(credentials, photo_id=external_id),
            ).json()
        except Rejected as exc:
            if exc.platform_code == NOT_FOUND:
                return None
            raise
        return self._remote(body["video_info"])

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self.request(
            "GET",
            "openapi/photo/list",
            operation="list",
            params=self._params(credentials, count=min(limit, 200)),
        ).json()
        return [self._remote(i) for i in need(body, "video_list")][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since, until) -> MetricsResult:
        """user_info `fan`: followers now (Kuaishou's open platform keeps no daily account history, so the
        figure is as of the call, period_end None)."""
        open_id = str(credentials.extra.get("open_id", ""))
        body = self.request(
            "GET", "openapi/user_info", operation="profile", params=self._params(credentials)
        ).json()
        info = body.get("user_info") or {}
        result = MetricsResult()
        if "fan" in info:
            result.values.append(
                MetricValue(key="fan", value=info["fan"], entity="account", external_id=open_id)
            )
        else:
            result.unavailable.append(
                MetricUnavailable("fan", "account", open_id, "removed", "user_info no longer sends fan")
            )
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """photo/list (the newest 200 videos, one call) carries the counts; older ones through photo/info."""
        body = self.request(
            "GET", "openapi/photo/list", operation="list", params=self._params(credentials, count=LIST_MAX)
        ).json()
        infos = {str(v.get("photo_id")): v for v in need(body, "video_list")}
        result = MetricsResult()
        for photo_id in external_ids:
            info = infos.get(photo_id)
            if info is None:
                try:
                    info = self.request(
                        "GET",
                        "openapi/photo/info",
                        operation="lookup",
                        params=self._params(credentials, photo_id=photo_id),
                    ).json()["video_info"]
                except Rejected as exc:
                    result.unavailable.extend(
                        cn.unavailable(
                            VIDEO_KEYS, "post", photo_id, "error", f"photo/info: {exc.platform_code}"
                        )
                    )
                    continue
            for key in VIDEO_KEYS:
                if key in info:
                    result.values.append(
                        MetricValue(key=key, value=info[key], entity="post", external_id=photo_id)
                    )
                else:
                    result.unavailable.append(
                        MetricUnavailable(
                            key, "post", photo_id, "removed", f"photo/list no longer sends {key}"
                        )
                    )
        return result
