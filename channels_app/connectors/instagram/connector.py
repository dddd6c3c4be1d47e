"""Instagram professional accounts through the Instagram API with Instagram Login (graph.instagram.com).

Connecting: `/oauth/authorize` on instagram.com -> code -> `POST /oauth/access_token` (short-lived, 1 h)
-> `GET /access_token?grant_type=ig_exchange_token` (long-lived, 60 days) -> refresh with
`GET /refresh_access_token?grant_type=ig_refresh_token` (the long-lived token refreshes itself; there
is no separate refresh token).

Publishing is asynchronous and pull-based: Meta downloads each file from a public URL
(`MediaItem.url`). `POST /{ig-user-id}/media` creates a container (image_url or video_url with
media_type=REELS, caption, alt_text; carousel items with is_carousel_item, then a CAROUSEL container
with children) -> `GET /{container}?fields=status_code` until FINISHED (IN_PROGRESS, ERROR, EXPIRED)
-> `POST /{ig-user-id}/media_publish` with creation_id. Accounts may publish 50 posts per rolling
24 hours (`GET /{ig-user-id}/content_publishing_limit`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.utils.translation import gettext as _

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
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected
from ..facebook.connector import parse_time
from ..facebook.graph import PUBLISHING_LIMIT_WAIT, GraphMixin, InsightsGroup, InsightsMixin
from ..facebook.inbox import MetaInboxMixin
from ..http import need

CAPTION_LIMIT = 2200
COMMENT_LIMIT = 2200  # a comment's text, which the first comment is (the same as a caption's)
HASHTAG_LIMIT = 30
MENTION_LIMIT = 20
CAROUSEL_LIMIT = 10
SCOPES = "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments"
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_MENTION = re.compile(r"(?<![\w])@[\w.]+")


class InstagramConnector(MetaInboxMixin, InsightsMixin, GraphMixin, Connector):
    platform = "instagram"
    display_name = "Instagram"
    capabilities = Capabilities(
        text_limit=CAPTION_LIMIT,
        text_unit="characters",
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"image", "video"}),
            max_images=CAROUSEL_LIMIT,
            max_videos=CAROUSEL_LIMIT,
            max_image_bytes=8 * 1024 * 1024,
            max_video_bytes=300 * 1024 * 1024,  # Reels
            mixed=True,  # carousels mix photos and videos
        ),
        first_comment=True,
        first_comment_limit=COMMENT_LIMIT,
        native_scheduling=False,
        async_publish=True,
        idempotency_key=False,
        auth="oauth2",
        metrics=True,
        inbound_reply=True,
        item_actions=frozenset({"hide", "unhide", "delete"}),  # the API cannot like a comment
    )
    default_retry_after = 300.0
    hide_field = "hide"
    reply_edge = "replies"

    def inbox_owner(self, credentials: Credentials) -> str:
        return self._user_id(credentials)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        query = urlencode(
            {
                "client_id": self.app.get("client_id", ""),
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPES,
                "state": state,
            }
        )
        return f"{auth_base}/oauth/authorize?{query}"

    def _long_lived(self, body: dict) -> TokenSet:
        expires_in = body.get("expires_in")
        return TokenSet(
            access_token=body["access_token"],
            refresh_token="",  # the long-lived token refreshes itself
            expires_at=datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None,
        )

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        token_base = (self.app.get("token_url") or self.app.get("auth_url") or self.base_url).rstrip("/")
        short = self.graph(
            "POST",
            "/oauth/access_token",
            operation="token",
            versioned=False,
            base=token_base,
            data={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        if isinstance(short.get("data"), list) and short["data"]:
            # The older answer wrapped the token in {"data": [...]}; today it is flat.
            short = short["data"][0]
        body = self.graph(
            "GET",
            "/access_token",
            operation="token",
            versioned=False,
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": self.app.get("client_secret", ""),
                "access_token": short["access_token"],
            },
        )
        tokens = self._long_lived(body)
        return TokenSet(
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            extra={"ig_user_id": str(short.get("user_id", ""))},
        )

    def refresh(self, credentials: Credentials) -> TokenSet:
        if not credentials.access_token:
            raise AuthExpired("instagram: no token stored; reconnect")
        body = self.graph(
            "GET",
            "/refresh_access_token",
            operation="refresh",
            versioned=False,
            params={"grant_type": "ig_refresh_token", "access_token": credentials.access_token},
        )
        return self._long_lived(body)

    def _user_id(self, credentials: Credentials) -> str:
        user_id = credentials.extra.get("ig_user_id")
        if user_id:
            return str(user_id)
        return self.fetch_profile(credentials).external_id

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        body = self.graph(
            "GET",
            "/me",
            operation="profile",
            token=credentials.access_token,
            params={"fields": "user_id,username,name,profile_picture_url,followers_count"},
        )
        return AccountProfile(
            external_id=str(body.get("user_id") or body["id"]),
            handle=body.get("username", ""),
            display_name=body.get("name", ""),
            avatar_url=body.get("profile_picture_url", ""),
            followers=body.get("followers_count"),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        if len(payload.text) > CAPTION_LIMIT:
            findings.append(
                Finding(
                    "instagram.caption_length",
                    _("Instagram captions allow %(limit)s characters; this one has %(used)s.")
                    % {"limit": CAPTION_LIMIT, "used": len(payload.text)},
                )
            )
        for rule, pattern, limit, what in (
            ("instagram.hashtags", _HASHTAG, HASHTAG_LIMIT, _("hashtags")),
            ("instagram.mentions", _MENTION, MENTION_LIMIT, _("@mentions")),
        ):
            used = len(pattern.findall(payload.text))
            if used > limit:
                findings.append(
                    Finding(
                        rule,
                        _("Instagram allows %(limit)s %(what)s in a caption; this one has %(used)s.")
                        % {"limit": limit, "what": what, "used": used},
                    )
                )
        if not payload.media:
            findings.append(
                Finding("instagram.media_required", _("An Instagram post needs at least 1 photo or video."))
            )
        if len(payload.media) > CAROUSEL_LIMIT:
            findings.append(
                Finding(
                    "instagram.media_count",
                    _("An Instagram carousel holds at most %(limit)s items; this post has %(count)s.")
                    % {"limit": CAROUSEL_LIMIT, "count": len(payload.media)},
                )
            )
        limits = self.capabilities.media
        for item in payload.media:
            name = {"name": item.filename}
            if item.kind not in ("image", "video"):
                findings.append(
                    Finding("instagram.media_kind", _("%(name)s: only photos and videos.") % name)
                )
            if not item.url:
                findings.append(
                    Finding(
                        "instagram.media_url",
                        _("%(name)s: Instagram downloads media from a public URL, and this file has none.")
                        % name,
                    )
                )
            if item.kind == "image" and item.content_type not in ("image/jpeg", "image/jpg"):
                findings.append(
                    Finding("instagram.image_format", _("%(name)s: Instagram takes JPEG images only.") % name)
                )
            limit = limits.max_video_bytes if item.kind == "video" else limits.max_image_bytes
            if item.size > limit:
                findings.append(
                    Finding(
                        "instagram.media_size",
                        _("%(name)s is %(size)s bytes; Instagram allows at most %(limit)s bytes here.")
                        % {**name, "size": item.size, "limit": limit},
                    )
                )
        return findings

    def publishing_quota(self, credentials: Credentials) -> tuple[int, int]:
        """(used, total) posts in the rolling 24 h window."""
        body = self.graph(
            "GET",
            f"/{self._user_id(credentials)}/content_publishing_limit",
            operation="publish_limit",
            token=credentials.access_token,
            params={"fields": "quota_usage,config"},
        )
        entry = (body.get("data") or [{}])[0]
        total = int((entry.get("config") or {}).get("quota_total", 50))
        return int(entry.get("quota_usage", 0)), total

    def _container(self, user_id: str, token: str, item: MediaItem, fields: dict) -> str:
        data = dict(fields)
        if item.kind == "video":
            data["video_url"] = item.url
            data["media_type"] = "VIDEO" if fields.get("is_carousel_item") else "REELS"
        else:
            data["image_url"] = item.url
            if item.alt_text:
                data["alt_text"] = item.alt_text
        return str(self.graph("POST", f"/{user_id}/media", operation="upload", token=token, data=data)["id"])

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        user_id = self._user_id(credentials)
        used, total = self.publishing_quota(credentials)
        if used >= total:
            raise RateLimited(
                f"instagram: content publishing limit reached ({used} of {total} posts in 24 h)",
                retry_after=PUBLISHING_LIMIT_WAIT,
            )
        if len(payload.media) == 1:
            container = self._container(user_id, token, payload.media[0], {"caption": payload.text})
        else:
            children = [
                self._container(user_id, token, item, {"is_carousel_item": "true"}) for item in payload.media
            ]
            container = str(
                self.graph(
                    "POST",
                    f"/{user_id}/media",
                    operation="upload",
                    token=token,
                    data={"media_type": "CAROUSEL", "children": ",".join(children), "caption": payload.text},
                )["id"]
            )
        pending = PublishResult(
            status="pending",
            raw={"container_id": container, "ig_user_id": user_id, "first_comment": payload.first_comment},
        )
        return self.publish_status(credentials, pending)

    def publish_status(self, credentials: Credentials, pending: PublishResult) -> PublishResult:
        """Publishes the container once Meta has fetched and processed the media; else still pending."""
        token = credentials.access_token
        container = pending.raw["container_id"]
        status = self.graph(
            "GET",
            f"/{container}",
            operation="publish_status",
            token=token,
            params={"fields": "status_code,status"},
        )
        code = need(status, "status_code", kind=str)
        if code in ("ERROR", "EXPIRED"):
            raise Rejected(
                f"instagram: the media container failed ({code}: {status.get('status', '')})",
                platform_code=code,
            )
        if code != "FINISHED":
            return pending
        user_id = pending.raw.get("ig_user_id") or self._user_id(credentials)
        body = self.graph(
            "POST",
            f"/{user_id}/media_publish",
            operation="publish",
            token=token,
            unsafe=True,
            data={"creation_id": container},
        )
        media_id = str(body["id"])
        raw = {"id": media_id, "container_id": container}
        url = ""
        try:
            url = self.graph(
                "GET", f"/{media_id}", operation="lookup", token=token, params={"fields": "permalink"}
            ).get("permalink", "")
        except ConnectorError as exc:  # published already; the link is a nicety
            raw["permalink_error"] = str(exc)
        first_comment = pending.raw.get("first_comment")
        if first_comment:
            try:
                comment = self.graph(
                    "POST",
                    f"/{media_id}/comments",
                    operation="comment",
                    token=token,
                    unsafe=True,
                    data={"message": first_comment},
                )
                raw["first_comment_id"] = str(comment.get("id", ""))
            except ConnectorError as exc:
                raw["first_comment_error"] = str(exc)
        return PublishResult(status="published", external_id=media_id, url=url, raw=raw)

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self.graph("DELETE", f"/{external_id}", operation="delete", token=credentials.access_token)
        except Rejected as exc:
            if exc.platform_code == 100 or exc.status_code == 404:
                return
            raise

    def _remote(self, data: dict) -> RemotePost:
        return RemotePost(
            external_id=str(data["id"]),
            text=data.get("caption", ""),
            url=data.get("permalink", ""),
            created_at=parse_time(data.get("timestamp")),
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            body = self.graph(
                "GET",
                f"/{external_id}",
                operation="lookup",
                token=credentials.access_token,
                params={"fields": "id,caption,permalink,timestamp"},
            )
        except Rejected as exc:
            if exc.platform_code == 100 or exc.status_code == 404:
                return None
            raise
        return self._remote(body)

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        body = self.graph(
            "GET",
            f"/{self._user_id(credentials)}/media",
            operation="list",
            token=credentials.access_token,
            params={"fields": "id,caption,permalink,timestamp", "limit": limit},
        )
        return [self._remote(item) for item in need(body, "data")][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """followers_count now, then Insights per group: daily reach and new followers (time series), views
        and profile views (Instagram serves them only as one total_value for the range)."""
        user_id = self._user_id(credentials)
        result = MetricsResult()
        body = self.graph(
            "GET",
            f"/{user_id}",
            operation="metrics_account",
            token=credentials.access_token,
            params={"fields": "followers_count"},
        )
        if isinstance(body.get("followers_count"), int):
            now = datetime.now(UTC)
            result.values.append(
                MetricValue("followers_count", body["followers_count"], "account", user_id, now)
            )
        else:
            result.unavailable.append(MetricUnavailable("followers_count", "account", user_id, "removed"))
        ask = {"token": credentials.access_token, "entity": "account", "operation": "metrics_account"}
        self.legacy_renames(user_id, USER_RENAMED, params={"period": "day"}, result=result, **ask)
        for group in USER_GROUPS:
            self.insights(user_id, group, result=result, since=since, until=until, **ask)
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """Media Insights (lifetime), one call per media; the v22 removals recorded as renamed."""
        result = MetricsResult()
        ask = {"token": credentials.access_token, "entity": "post", "operation": "metrics_post"}
        for media_id in external_ids:
            self.legacy_renames(media_id, MEDIA_RENAMED, params={"period": "lifetime"}, result=result, **ask)
            self.insights(media_id, MEDIA_GROUP, result=result, **ask)
        return result


# developers.facebook.com/docs/instagram-platform/insights (v22+)
USER_GROUPS = (
    InsightsGroup(("reach", "follower_count"), {"period": "day"}),
    InsightsGroup(("views", "profile_views"), {"period": "day", "metric_type": "total_value"}),
)
MEDIA_GROUP = InsightsGroup(
    ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions"), {"period": "lifetime"}
)
# Deprecated in v22.0 (2025-01-21) and gone from every version on 2025-04-21: `views` replaces them.
USER_RENAMED = {"impressions": "views"}
MEDIA_RENAMED = {"impressions": "views", "plays": "views", "video_views": "views"}
