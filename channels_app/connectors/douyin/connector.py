"""Douyin: OAuth2 (15-day access token, 30-day refresh token renewable about five times) and publishing
on behalf of the user: upload the video (or images), then create_video/ (or create_image_text/).

Requests carry `open_id` in the query and the token in the `access-token` header. Douyin puts errors in
`data.error_code` / `extra.error_code`, usually with HTTP 200.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import httpx
from django.utils.translation import gettext as _
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
from ..options import cover_frame_option, title_option, titled_text

AUTH_CODES = {2190008, 2190002, 2190004, 10008, 10010, 10020}
REVOKED_CODES = {10020}  # refresh-token renewals exhausted: the user must authorise again
RATE_CODES = {2100007}
TRANSIENT_CODES = {2100004}
SCOPES = "user_info,video.create,video.data"
RENEW_WHEN_LEFT = timedelta(days=5)
SINGLE_UPLOAD_BYTES = 50 * 1024 * 1024  # above this, part upload
PART_BYTES = 20 * 1024 * 1024  # Douyin takes 5-100 MB parts (y)
# The app's 作品标题 holds 30 characters (y); create_video/ has one `text` (视频标题) that carries the
# variant's title first, then the text.
TITLE_LIMIT = 30
# 数据开放服务 user data: /data/external/user/<kind>/ with date_type 7, 15 or 30 (days up to yesterday)
USER_GROUPS = (
    ("fans", ("new_fans", "total_fans")),
    ("item", ("new_issue", "new_play", "total_issue")),
    ("profile", ("profile_uv",)),
    ("like", ("new_like",)),
    ("comment", ("new_comment",)),
    ("share", ("new_share",)),
)
DATE_TYPES = (7, 15, 30)
# Douyin serves user data only above a follower minimum; the simulator's refusal code (y: Douyin documents
# the minimum, not the code)
THRESHOLD_CODE = 2100020
ITEM_KEYS = ("total_play", "total_like", "total_comment", "total_share", "avg_play_duration")


def _when(seconds) -> datetime | None:
    seconds = int(seconds or 0)
    return datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None


class DouyinConnector(Connector):
    platform = "douyin"
    display_name = "Douyin"
    post_options = (
        title_option(
            TITLE_LIMIT,
            gettext_lazy("Video title"),
            gettext_lazy("Sent first in the video's text, on a line of its own."),
        ),
        cover_frame_option(),
    )
    capabilities = Capabilities(
        text_limit=1000,
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"video", "image"}),
            max_images=35,
            max_videos=1,
            max_image_bytes=20 * 1024 * 1024,
            max_video_bytes=4 * 1024 * 1024 * 1024,
        ),
        auth="oauth2",
        metrics=True,
    )

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        body = json_or_empty(response)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        extra = body.get("extra") if isinstance(body.get("extra"), dict) else {}
        code = data.get("error_code") or extra.get("error_code")
        if not code:
            return None
        message = str(data.get("description") or extra.get("description") or "")
        where = f"douyin {operation}: {code} {message}"
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

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        query = {
            "client_key": self.app.get("client_id", ""),
            "response_type": "code",
            "scope": SCOPES,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{self.auth_base}/platform/oauth/connect/?{urlencode(query)}"

    def _token_set(self, data: dict) -> TokenSet:
        return TokenSet(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token", ""),
            expires_at=_when(data.get("expires_in")),
            refresh_expires_at=_when(data.get("refresh_expires_in")),
            extra={"open_id": data.get("open_id", "")},
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        body = self.request(
            "POST",
            f"{self.auth_base}/oauth/access_token/",
            operation="token",
            data={
                "client_key": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "code": code,
                "grant_type": "authorization_code",
            },
        ).json()
        return self._token_set(body["data"])

    def renew_refresh_token(self, credentials: Credentials) -> tuple[str, datetime | None]:
        """A new refresh token (Douyin allows about five renewals, then the user must authorise again)."""
        data = self.request(
            "POST",
            f"{self.auth_base}/oauth/renew_refresh_token/",
            operation="renew_refresh",
            data={"client_key": self.app.get("client_id", ""), "refresh_token": credentials.refresh_token},
        ).json()["data"]
        return data["refresh_token"], _when(data.get("expires_in"))

    def refresh(self, credentials: Credentials) -> TokenSet:
        refresh_token, refresh_expires_at = credentials.refresh_token, credentials.refresh_expires_at
        if refresh_expires_at is not None and refresh_expires_at - datetime.now(UTC) < RENEW_WHEN_LEFT:
            refresh_token, refresh_expires_at = self.renew_refresh_token(credentials)
        data = self.request(
            "POST",
            f"{self.auth_base}/oauth/refresh_token/",
            operation="refresh",
            data={
                "client_key": self.app.get("client_id", ""),
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
        ).json()["data"]
        tokens = self._token_set(data)
        if not tokens.refresh_token or tokens.refresh_token == credentials.refresh_token:
            # Unchanged: keep the stored one (and its expiry) unless we just renewed it.
            renewed = refresh_token != credentials.refresh_token
            return TokenSet(
                access_token=tokens.access_token,
                refresh_token=refresh_token if renewed else "",
                expires_at=tokens.expires_at,
                refresh_expires_at=refresh_expires_at if renewed else None,
                extra=tokens.extra,
            )
        return tokens

    def _open_id(self, credentials: Credentials) -> str:
        open_id = credentials.extra.get("open_id", "")
        if not open_id:
            raise Rejected("douyin: credentials carry no open_id; reconnect the account")
        return open_id

    def _api(
        self,
        credentials: Credentials,
        method: str,
        path: str,
        operation: str,
        *,
        unsafe: bool = False,
        **kwargs,
    ) -> dict:
        params = {**kwargs.pop("params", {}), "open_id": self._open_id(credentials)}
        headers = {"access-token": credentials.access_token}
        response = self.request(
            method,
            f"api/douyin/v1/video/{path}",
            operation=operation,
            unsafe=unsafe,
            params=params,
            headers=headers,
            **kwargs,
        )
        return response.json().get("data") or {}

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        data = self.request(
            "POST",
            "oauth/userinfo/",
            operation="profile",
            data={"access_token": credentials.access_token, "open_id": self._open_id(credentials)},
        ).json()["data"]
        return AccountProfile(
            external_id=data["open_id"],
            handle=data.get("nickname", ""),
            display_name=data.get("nickname", ""),
            avatar_url=data.get("avatar", ""),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        if any(
            m.kind == "video" and m.content_type not in ("video/mp4", "video/quicktime", "")
            for m in payload.media
        ):
            findings.append(Finding("douyin.video_format", _("Douyin takes MP4 or MOV video.")))
        return findings

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        videos = [m for m in payload.media if m.kind == "video"]
        images = [m for m in payload.media if m.kind == "image"]
        if videos:
            body = {"video_id": self._upload_video(credentials, videos[0]), "text": titled_text(payload)}
            cover_tsp = payload.options.get("cover_tsp")
            if cover_tsp is not None:
                body["cover_tsp"] = float(cover_tsp)  # the frame at this second becomes the cover
            data = self._api(credentials, "POST", "create_video/", "publish", unsafe=True, json=body)
        elif images:
            image_ids = []
            for image in images:
                uploaded = self._api(
                    credentials,
                    "POST",
                    "upload_image/",
                    "upload",
                    files={
                        "image": (
                            image.filename or "image.jpg",
                            image.data or b"",
                            image.content_type or "image/jpeg",
                        )
                    },
                )
                image_ids.append({"image_id": uploaded["image"]["image_id"]})
            body = {"image_list": image_ids, "text": titled_text(payload)}
            data = self._api(credentials, "POST", "create_image_text/", "publish", unsafe=True, json=body)
        else:
            raise Rejected("douyin publish: a post needs a video or images")
        item_id = data["item_id"]
        return PublishResult(
            status="published",
            external_id=item_id,
            url=f"https://www.iesdouyin.com/share/video/{item_id}/",
            raw={"item_id": item_id},
        )

    def _upload_video(self, credentials: Credentials, video) -> str:
        data = video.data or b""
        name, ctype = video.filename or "video.mp4", video.content_type or "video/mp4"
        if len(data) <= SINGLE_UPLOAD_BYTES:
            uploaded = self._api(
                credentials, "POST", "upload_video/", "upload", files={"video": (name, data, ctype)}
            )
            return uploaded["video"]["video_id"]
        upload_id = self._api(credentials, "POST", "init_video_part_upload/", "upload")["upload_id"]
        for number, start in enumerate(range(0, len(data), PART_BYTES), start=1):
            self._api(
                credentials,
                "POST",
                "upload_video_part/",
                "upload",
                params={"upload_id": upload_id, "part_number": number},
                files={"video": (name, data[start : start + PART_BYTES], ctype)},
            )
        done = self._api(
            credentials, "POST", "complete_video_part_upload/", "upload", params={"upload_id": upload_id}
        )
        return done["video"]["video_id"]

    def delete(self, credentials: Credentials, external_id: str) -> None:
        self._api(credentials, "POST", "delete_video/", "delete", json={"item_id": external_id})

    @staticmethod
    def _remote(item: dict) -> RemotePost:
        created = item.get("create_time")
        return RemotePost(
            external_id=item["item_id"],
            text=item.get("title", ""),
            url=item.get("share_url", ""),
            created_at=datetime.fromtimestamp(created, UTC) if created else None,
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        data = self._api(credentials, "POST", "video_data/", "lookup", json={"item_ids": [external_id]})
        items = need(data, "list")
        return self._remote(items[0]) if items else None

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        data = self._api(
            credentials, "GET", "video_list/", "list", params={"cursor": 0, "count": min(limit, 20)}
        )
        return [self._remote(i) for i in need(data, "list")][:limit]

    # --- metrics (数据开放服务) ---
    def _data(self, credentials: Credentials, path: str, operation: str, **params) -> dict:
        response = self.request(
            "GET",
            f"data/external/{path}",
            operation=operation,
            params={"open_id": self._open_id(credentials), **params},
            headers={"access-token": credentials.access_token},
        )
        return response.json().get("data") or {}

    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """Per group, the days since..until that Douyin serves: up to yesterday (T+1), at most 30 days back,
        and from the day after the user authorised us (earlier days are recorded too_new)."""
        open_id = self._open_id(credentials)
        result = MetricsResult()
        last, oldest = cn.yesterday(), cn.yesterday() - timedelta(days=DATE_TYPES[-1] - 1)
        all_keys = [k for _kind, keys in USER_GROUPS for k in keys]
        if until > last:
            detail = (
                f"Douyin's data is T+1: {cn.span_text(max(since, last + timedelta(days=1)), until)} not yet"
            )
            result.unavailable.extend(cn.unavailable(all_keys, "account", open_id, "too_new", detail))
        if since < oldest:
            before = cn.span_text(since, min(until, oldest - timedelta(days=1)))
            detail = f"Douyin serves the last 30 days: {before}"
            result.unavailable.extend(cn.unavailable(all_keys, "account", open_id, "too_old", detail))
        since, until = max(since, oldest), min(until, last)
        if since > until:
            return result
        wanted = cn.days(since, until)
        date_type = next(n for n in DATE_TYPES if last - timedelta(days=n - 1) <= since)
        for kind, keys in USER_GROUPS:
            try:
                data = self._data(credentials, f"user/{kind}/", "metrics_account", date_type=date_type)
            except Rejected as exc:
                reason = "threshold" if exc.platform_code == THRESHOLD_CODE else "error"
                result.unavailable.extend(
                    cn.unavailable(
                        keys, "account", open_id, reason, f"user/{kind}: {exc.platform_code} {exc}"
                    )
                )
                continue
            rows = {cn.parse_day(r.get("date")): r for r in data.get("result_list") or []}
            missing = [d for d in wanted if d not in rows]
            if missing:
                detail = (
                    f"user/{kind} has no data for {cn.span_text(missing[0], missing[-1])}: Douyin starts a "
                    "user's data the day after the authorisation"
                )
                result.unavailable.extend(cn.unavailable(keys, "account", open_id, "too_new", detail))
            for key in keys:
                present = [d for d in wanted if d in rows and key in rows[d]]
                if rows and not any(key in r for r in rows.values()):
                    result.unavailable.append(
                        MetricUnavailable(
                            key, "account", open_id, "removed", f"user/{kind} no longer sends {key}"
                        )
                    )
                for day in present:
                    result.values.append(
                        MetricValue(
                            key=key,
                            value=int(rows[day][key]),
                            entity="account",
                            external_id=open_id,
                            period_end=cn.day_end(day),
                        )
                    )
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """/data/external/item/base/ per video: plays, likes, comments, shares, average play duration."""
        result = MetricsResult()
        for item_id in external_ids:
            try:
                data = self._data(credentials, "item/base/", "metrics_post", item_id=item_id)
            except Rejected as exc:
                result.unavailable.extend(
                    cn.unavailable(
                        ITEM_KEYS, "post", item_id, "error", f"item/base: {exc.platform_code} {exc}"
                    )
                )
                continue
            figures = data.get("result") or {}
            for key in ITEM_KEYS:
                if key in figures:
                    result.values.append(
                        MetricValue(key=key, value=figures[key], entity="post", external_id=item_id)
                    )
                else:
                    result.unavailable.append(
                        MetricUnavailable(key, "post", item_id, "removed", f"item/base no longer sends {key}")
                    )
        return result
