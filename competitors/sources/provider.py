"""The licensed provider adapter (WeChat OA, Douyin, Kuaishou, Xiaohongshu, WeChat Channels, Weibo,
Bilibili: its open platform serves only the authorising account's own data).

Written against the provider contract in competitors/README.md; the customer brings the contract and
the key (KAWO_COMPETITORS_PROVIDER_URL, KAWO_COMPETITORS_PROVIDER_KEY). platform_sim serves the contract
at /competitor_provider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.connectors.errors import AuthExpired, Rejected, Transient

from .base import (
    PostFigures,
    PostPage,
    RivalNotFound,
    RivalPostData,
    RivalPrivate,
    RivalProfile,
    RivalSource,
    parse_time,
)

PROVIDER_PLATFORMS = (
    "wechat_oa",
    "douyin",
    "kuaishou",
    "xiaohongshu",
    "wechat_channels",
    "weibo",
    "bilibili",
)


def provider_url() -> str:
    return (
        settings.KAWO_COMPETITORS_PROVIDER_URL or f"{settings.PLATFORM_SIM_URL}/competitor_provider"
    ).rstrip("/")


class ProviderSource(RivalSource):
    """One instance per platform (`for_platform`), all with the key "provider"."""

    key = "provider"
    platform: ClassVar[str] = ""
    official = False
    page_size = 50
    common = {
        "read_count": "views",
        "play_count": "views",
        "like_count": "likes",
        "comment_count": "comments",
        "share_count": "shares",
        "collect_count": "saves",
    }
    definition_note = _(
        "Licensed provider data: figures as the provider reads the public pages, which can differ from the "
        "platform's own analytics (Weibo likes, for one, include likes of comments)."
    )

    def __init__(self, *, platform: str, base_url: str = "", timeout: float | None = None):
        self.platform_key = platform
        super().__init__(base_url=base_url or provider_url(), app={}, timeout=timeout)
        self.platform = platform  # type: ignore[misc] - errors and logs name the rival's platform

    def error_for(self, response, *, operation: str):
        """The contract's error shape: {"error": {"code", "message"}} with the HTTP status."""
        if response.status_code < 400 or response.status_code == 429:
            return None  # 429: the generic mapping reads Retry-After
        try:
            error = (response.json() or {}).get("error") or {}
        except ValueError:
            return None
        if not isinstance(error, dict):
            return None
        code, message = str(error.get("code", "")), str(error.get("message", ""))
        where = f"provider {self.platform_key} {operation}: HTTP {response.status_code}: {message}"[:500]
        kwargs = {
            "platform_code": code,
            "platform_message": message[:500],
            "status_code": response.status_code,
        }
        if response.status_code == 404 or code == "not_found":
            return RivalNotFound(where, **kwargs)
        if code == "account_private":
            return RivalPrivate(where, **kwargs)
        if response.status_code == 401:
            return AuthExpired(where, **kwargs)
        if response.status_code >= 500:
            return Transient(where, **kwargs)
        return Rejected(where, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.KAWO_COMPETITORS_PROVIDER_KEY}"}

    def _profile(self, data: dict) -> RivalProfile:
        return RivalProfile(
            external_id=str(data["account_id"]),
            handle=data.get("handle", ""),
            display_name=data.get("name", ""),
            avatar_url=data.get("avatar_url", ""),
            profile_url=data.get("profile_url", ""),
            followers=data.get("followers"),
            private=data.get("status") == "private",
        )

    def _read(self, path: str, params=None, *, operation: str) -> dict:
        return self.get(path, operation=operation, params=params)

    def resolve(self, handle: str) -> RivalProfile:
        body = self._read(
            "v1/accounts/search",
            {"platform": self.platform_key, "q": handle.lstrip("@")},
            operation="profile",
        )
        return self._profile(body["data"])

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        return self._profile(
            self._read(f"v1/accounts/{self.platform_key}/{external_id}", operation="profile")["data"]
        )

    def _post(self, item: dict) -> RivalPostData:
        return RivalPostData(
            external_id=str(item["post_id"]),
            published_at=parse_time(item["published_at"]),
            text=item.get("title") or item.get("text", ""),
            url=item.get("url", ""),
            media_kind=item.get("media_type") or "text",
            raw={k: float(v) for k, v in (item.get("metrics") or {}).items()},
        )

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        params = {"since": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "limit": str(self.page_size)}
        if cursor:
            params["cursor"] = cursor
        body = self._read(f"v1/accounts/{self.platform_key}/{external_id}/posts", params, operation="list")
        return PostPage(
            [self._post(item) for item in body.get("data") or []], str(body.get("next_cursor") or "")
        )

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        found: dict[str, dict[str, float]] = {}
        deleted: list[str] = []
        for start in range(0, len(external_ids), 100):
            chunk = external_ids[start : start + 100]
            body = self._read(f"v1/posts/{self.platform_key}", {"ids": ",".join(chunk)}, operation="lookup")
            for item in body.get("data") or []:
                found[str(item["post_id"])] = self._post(item).raw
            deleted += [str(i) for i in body.get("deleted") or []]
        return PostFigures(found, deleted)
