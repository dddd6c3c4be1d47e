"""X: public reads with the app-only bearer token (API v2). Every read is billed (pay-per-use), so the
pull budget (KAWO_COMPETITORS_X_READS_PER_MONTH) caps them."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.connectors.x.connector import XConnector

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

USER_FIELDS = "public_metrics,profile_image_url,protected"


class XPublicSource(RivalSource):
    key = "x.public_metrics"
    platform = "x"
    billed = True
    page_size = 100
    common = {
        "like_count": "likes",
        "reply_count": "comments",
        "retweet_count": "shares",
        "quote_count": "shares",
        "bookmark_count": "saves",
        "impression_count": "views",
    }
    definition_note = _(
        "X public metrics: reposts and quotes count as shares; impressions are public only since 2023."
    )

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.KAWO_COMPETITORS_X_BEARER_TOKEN}"}

    def error_for(self, response, *, operation):
        return XConnector(base_url=self.base_url).error_for(response, operation=operation)

    def _profile(self, body: dict) -> RivalProfile:
        errors = body.get("errors") or []
        data = body.get("data")
        if not data:
            raise RivalNotFound(str(errors[0].get("detail", "")) if errors else "x: no such user")
        metrics = data.get("public_metrics") or {}
        return RivalProfile(
            external_id=str(data["id"]),
            handle=data.get("username", ""),
            display_name=data.get("name", ""),
            avatar_url=data.get("profile_image_url", ""),
            profile_url=f"https://x.com/{data.get('username', '')}",
            followers=metrics.get("followers_count"),
            private=bool(data.get("protected")),
        )

    def resolve(self, handle: str) -> RivalProfile:
        body = self.get(
            f"2/users/by/username/{handle.lstrip('@')}",
            operation="profile",
            params={"user.fields": USER_FIELDS},
        )
        return self._profile(body)

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        body = self.get(f"2/users/{external_id}", operation="profile", params={"user.fields": USER_FIELDS})
        return self._profile(body)

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        params = {
            "max_results": str(self.page_size),
            "tweet.fields": "created_at,public_metrics,attachments",
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if cursor:
            params["pagination_token"] = cursor
        body = self.get(f"2/users/{external_id}/tweets", operation="list", params=params)
        errors = body.get("errors") or []
        if not body.get("data") and errors:
            kind = str(errors[0].get("type", ""))
            if "not-authorized" in kind:
                raise RivalPrivate(str(errors[0].get("detail", "")))
            if "resource-not-found" in kind:
                raise RivalNotFound(str(errors[0].get("detail", "")))
        posts = [
            RivalPostData(
                external_id=str(item["id"]),
                published_at=parse_time(item["created_at"]),
                text=item.get("text", ""),
                url=f"https://x.com/i/web/status/{item['id']}",
                media_kind="image" if item.get("attachments") else "text",
                raw={k: float(v) for k, v in (item.get("public_metrics") or {}).items()},
            )
            for item in body.get("data") or []
        ]
        return PostPage(posts, str((body.get("meta") or {}).get("next_token") or ""))

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        found: dict[str, dict[str, float]] = {}
        deleted: list[str] = []
        for start in range(0, len(external_ids), 100):
            chunk = external_ids[start : start + 100]
            body = self.get(
                "2/tweets",
                operation="metrics_post",
                params={"ids": ",".join(chunk), "tweet.fields": "public_metrics"},
            )
            for item in body.get("data") or []:
                found[str(item["id"])] = {k: float(v) for k, v in (item.get("public_metrics") or {}).items()}
            for error in body.get("errors") or []:
                if "resource-not-found" in str(error.get("type", "")):
                    deleted.append(str(error.get("value") or error.get("resource_id")))
        return PostFigures(found, deleted)
