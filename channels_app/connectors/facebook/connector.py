"""Facebook Pages through the Graph API (versioned paths, `/v25.0/...`).

Connecting: Facebook Login (`/{version}/dialog/oauth`) gives a code -> short-lived user token ->
long-lived user token (`grant_type=fb_exchange_token`, about 60 days) -> `/me/accounts` lists the Pages
with their Page tokens. A Page token derived from a long-lived user token does not expire, so we store
the Page token as the access token and the long-lived user token as the "refresh token": refreshing
exchanges the user token again and re-reads the Page token.

Publishing: `/{page-id}/feed` (message, link), `/{page-id}/photos` (url or bytes, caption) for one image,
unpublished photos attached with `attached_media` for several; `published=false` +
`scheduled_publish_time` schedules natively (10 minutes to 30 days ahead).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

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
    PostPayload,
    PublishResult,
    RemotePost,
    TokenSet,
)
from ..errors import AuthExpired, ConnectorError, Rejected
from ..http import need
from ..options import link_option
from .graph import GraphMixin, InsightsGroup, InsightsMixin
from .inbox import MetaInboxMixin

DEFAULT_GRAPH_VERSION = "v25.0"
TEXT_LIMIT = 63206
COMMENT_LIMIT = 8000  # a comment's message, which the first comment is
SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement"
SCHEDULE_MIN = timedelta(minutes=10)
SCHEDULE_MAX = timedelta(days=30)


def scheduled_at(payload: PostPayload) -> datetime | None:
    """`options["scheduled_at"]` as an aware datetime (datetime or ISO string), or None."""
    value = payload.options.get("scheduled_at")
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        # Graph: "2026-11-27T19:30:00+0000"
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None


class FacebookConnector(MetaInboxMixin, InsightsMixin, GraphMixin, Connector):
    platform = "facebook"
    display_name = "Facebook Page"
    post_options = (link_option(gettext_lazy("Shown as a link card under the post (not with photos).")),)
    capabilities = Capabilities(
        text_limit=TEXT_LIMIT,
        text_unit="characters",
        media=MediaLimits(
            kinds=frozenset({"image"}),
            max_images=10,
            max_videos=0,
            max_image_bytes=4 * 1024 * 1024,
            mixed=False,
        ),
        first_comment=True,
        first_comment_limit=COMMENT_LIMIT,
        native_scheduling=True,
        async_publish=False,
        idempotency_key=False,
        auth="oauth2",
        metrics=True,
        inbound_reply=True,
        reply_media=True,
        item_actions=frozenset({"hide", "unhide", "delete", "like"}),
    )
    default_retry_after = 300.0
    hide_field = "is_hidden"
    reply_edge = "comments"

    def inbox_owner(self, credentials: Credentials) -> str:
        return self._page_id(credentials)

    # --- connecting ---
    def authorization_url(self, *, redirect_uri: str, state: str, code_challenge: str = "") -> str:
        auth_base = self.app.get("auth_url", self.base_url).rstrip("/")
        query = urlencode(
            {
                "client_id": self.app.get("client_id", ""),
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": SCOPES,
                "response_type": "code",
            }
        )
        return f"{auth_base}/{self.graph_version()}/dialog/oauth?{query}"

    def _long_lived_user_token(self, user_token: str, *, operation: str) -> tuple[str, datetime | None]:
        body = self.graph(
            "GET",
            "/oauth/access_token",
            operation=operation,
            params={
                "grant_type": "fb_exchange_token",
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "fb_exchange_token": user_token,
            },
        )
        expires_in = body.get("expires_in")
        expires = datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None
        return body["access_token"], expires

    def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str = "") -> TokenSet:
        short = self.graph(
            "GET",
            "/oauth/access_token",
            operation="token",
            params={
                "client_id": self.app.get("client_id", ""),
                "client_secret": self.app.get("client_secret", ""),
                "redirect_uri": redirect_uri,
                "code": code,
            },
        )
        user_token, user_expires = self._long_lived_user_token(short["access_token"], operation="token")
        pages = self.graph(
            "GET",
            "/me/accounts",
            operation="profile",
            token=user_token,
            params={"fields": "id,name,access_token"},
        ).get("data", [])
        if not pages:
            raise Rejected("facebook: this Facebook user manages no Page (or did not grant pages_show_list)")
        wanted = self.app.get("page_id")
        page = next((p for p in pages if p["id"] == wanted), pages[0])
        return TokenSet(
            access_token=page["access_token"],
            refresh_token=user_token,
            expires_at=None,  # Page tokens from a long-lived user token do not expire
            refresh_expires_at=user_expires,
            extra={
                "page_id": page["id"],
                "page_name": page.get("name", ""),
                "pages": [{"id": p["id"], "name": p.get("name", "")} for p in pages],
            },
        )

    def refresh(self, credentials: Credentials) -> TokenSet:
        page_id = credentials.extra.get("page_id")
        if not credentials.refresh_token or not page_id:
            raise AuthExpired("facebook: no user token stored to renew the Page token; reconnect")
        user_token, user_expires = self._long_lived_user_token(credentials.refresh_token, operation="refresh")
        page = self.graph(
            "GET",
            f"/{page_id}",
            operation="refresh",
            token=user_token,
            params={"fields": "id,name,access_token"},
        )
        if not page.get("access_token"):
            raise AuthExpired("facebook: the user no longer manages this Page; reconnect", revoked=True)
        return TokenSet(
            access_token=page["access_token"],
            refresh_token=user_token,
            expires_at=None,
            refresh_expires_at=user_expires,
            extra={"page_id": page_id, "page_name": page.get("name", "")},
        )

    def _page_id(self, credentials: Credentials) -> str:
        page_id = credentials.extra.get("page_id")
        if page_id:
            return str(page_id)
        return str(
            self.graph(
                "GET", "/me", operation="profile", token=credentials.access_token, params={"fields": "id"}
            )["id"]
        )

    def fetch_profile(self, credentials: Credentials) -> AccountProfile:
        page_id = self._page_id(credentials)
        body = self.graph(
            "GET",
            f"/{page_id}",
            operation="profile",
            token=credentials.access_token,
            params={"fields": "id,name,username,picture{url},followers_count"},
        )
        picture = ((body.get("picture") or {}).get("data") or {}).get("url", "")
        return AccountProfile(
            external_id=str(body["id"]),
            handle=body.get("username") or body.get("name", ""),
            display_name=body.get("name", ""),
            avatar_url=picture,
            followers=body.get("followers_count"),
        )

    # --- content ---
    def validate(self, payload: PostPayload) -> list[Finding]:
        findings: list[Finding] = []
        if len(payload.text) > TEXT_LIMIT:
            findings.append(
                Finding(
                    "facebook.text_length",
                    _("Facebook allows %(limit)s characters; this text has %(used)s.")
                    % {"limit": TEXT_LIMIT, "used": len(payload.text)},
                )
            )
        if not payload.text.strip() and not payload.media and not payload.link:
            findings.append(Finding("facebook.empty", _("A Facebook post needs text, a link or a photo.")))
        limits = self.capabilities.media
        if any(m.kind != "image" for m in payload.media):
            findings.append(
                Finding("facebook.media_kind", _("Facebook posts here take photos only, no video."))
            )
        if len(payload.media) > limits.max_images:
            findings.append(
                Finding(
                    "facebook.media_count",
                    _("Facebook posts here take at most %(limit)s photos; this post has %(count)s.")
                    % {"limit": limits.max_images, "count": len(payload.media)},
                )
            )
        if payload.media and payload.link:
            findings.append(
                Finding(
                    "facebook.link_with_media", _("Facebook shows either a link preview or photos, not both.")
                )
            )
        for item in payload.media:
            if item.size > limits.max_image_bytes:
                findings.append(
                    Finding(
                        "facebook.media_size",
                        _("%(name)s is %(size)s bytes; Facebook photos may be at most %(limit)s bytes.")
                        % {"name": item.filename, "size": item.size, "limit": limits.max_image_bytes},
                    )
                )
            if not item.url and item.data is None:
                findings.append(
                    Finding(
                        "facebook.media_data",
                        _("%(name)s: Facebook needs a public URL or the file itself.")
                        % {"name": item.filename},
                    )
                )
        when = scheduled_at(payload)
        if when is not None and not SCHEDULE_MIN <= when - datetime.now(UTC) <= SCHEDULE_MAX:
            findings.append(
                Finding(
                    "facebook.scheduled_at",
                    _("Facebook schedules posts from 10 minutes to 30 days ahead."),
                )
            )
        return findings

    def _photo(self, page_id: str, token: str, item: MediaItem, data: dict, *, operation: str) -> dict:
        data = {**data}
        if item.alt_text:
            data["alt_text_custom"] = item.alt_text
        if item.url:
            return self.graph(
                "POST",
                f"/{page_id}/photos",
                operation=operation,
                token=token,
                unsafe=True,
                data={**data, "url": item.url},
            )
        return self.graph(
            "POST",
            f"/{page_id}/photos",
            operation=operation,
            token=token,
            unsafe=True,
            data=data,
            files={"source": (item.filename, item.data or b"", item.content_type)},
        )

    def publish(self, credentials: Credentials, payload: PostPayload) -> PublishResult:
        token = credentials.access_token
        page_id = self._page_id(credentials)
        when = scheduled_at(payload)
        timing: dict[str, str] = {}
        if when is not None:
            timing = {"published": "false", "scheduled_publish_time": str(int(when.timestamp()))}
        if len(payload.media) == 1:
            body = self._photo(
                page_id, token, payload.media[0], {"caption": payload.text, **timing}, operation="publish"
            )
            post_id = str(body.get("post_id") or body["id"])
        else:
            data: dict[str, str] = {"message": payload.text, **timing}
            if payload.link:
                data["link"] = payload.link
            for index, item in enumerate(payload.media):
                unpublished = {"published": "false", "temporary": "true" if timing else "false"}
                photo = self._photo(page_id, token, item, unpublished, operation="upload")
                data[f"attached_media[{index}]"] = f'{{"media_fbid":"{photo["id"]}"}}'
            body = self.graph(
                "POST", f"/{page_id}/feed", operation="publish", token=token, unsafe=True, data=data
            )
            post_id = str(body["id"])
        raw: dict = {"id": post_id}
        if payload.first_comment and when is None:
            try:
                comment = self.graph(
                    "POST",
                    f"/{post_id}/comments",
                    operation="comment",
                    token=token,
                    unsafe=True,
                    data={"message": payload.first_comment},
                )
                raw["first_comment_id"] = str(comment.get("id", ""))
            except ConnectorError as exc:  # the post is live: report, do not fail it
                raw["first_comment_error"] = str(exc)
        return PublishResult(
            status="scheduled" if when is not None else "published",
            external_id=post_id,
            url=f"https://www.facebook.com/{post_id}",
            raw=raw,
        )

    def delete(self, credentials: Credentials, external_id: str) -> None:
        try:
            self.graph("DELETE", f"/{external_id}", operation="delete", token=credentials.access_token)
        except Rejected as exc:
            if exc.platform_code == 100 or exc.status_code == 404:
                return  # already gone
            raise

    def _remote(self, data: dict) -> RemotePost:
        return RemotePost(
            external_id=str(data["id"]),
            text=data.get("message", ""),
            url=data.get("permalink_url") or f"https://www.facebook.com/{data['id']}",
            created_at=parse_time(data.get("created_time")),
        )

    def get_post(self, credentials: Credentials, external_id: str) -> RemotePost | None:
        try:
            body = self.graph(
                "GET",
                f"/{external_id}",
                operation="lookup",
                token=credentials.access_token,
                params={"fields": "id,message,created_time,permalink_url"},
            )
        except Rejected as exc:
            if exc.platform_code == 100 or exc.status_code == 404:
                return None
            raise
        return self._remote(body)

    def recent_posts(self, credentials: Credentials, limit: int = 20) -> list[RemotePost]:
        page_id = self._page_id(credentials)
        body = self.graph(
            "GET",
            f"/{page_id}/posts",
            operation="list",
            token=credentials.access_token,
            params={"fields": "id,message,created_time,permalink_url", "limit": limit},
        )
        return [self._remote(item) for item in need(body, "data")][:limit]

    # --- metrics ---
    def fetch_account_metrics(self, credentials: Credentials, *, since: date, until: date) -> MetricsResult:
        """Page Insights by day, one call per group; Meta's 2025 removals recorded as renamed."""
        page_id = self._page_id(credentials)
        result = MetricsResult()
        ask = {"token": credentials.access_token, "entity": "account", "operation": "metrics_account"}
        self.legacy_renames(page_id, PAGE_RENAMED, params={"period": "day"}, result=result, **ask)
        for group in PAGE_GROUPS:
            self.insights(page_id, group, result=result, since=since, until=until, **ask)
        return result

    def fetch_post_metrics(self, credentials: Credentials, external_ids: list[str]) -> MetricsResult:
        """Post Insights (lifetime), one call per post; the 2025 removals recorded as renamed."""
        result = MetricsResult()
        ask = {"token": credentials.access_token, "entity": "post", "operation": "metrics_post"}
        for post_id in external_ids:
            self.legacy_renames(post_id, POST_RENAMED, params={"period": "lifetime"}, result=result, **ask)
            self.insights(post_id, POST_GROUP, result=result, **ask)
        return result


# developers.facebook.com/docs/platforminsights/page (Page and Post metrics, after the 2025 removals)
PAGE_GROUPS = (
    InsightsGroup(("page_media_view", "page_total_media_view_unique", "page_views_total"), {"period": "day"}),
    InsightsGroup(("page_follows", "page_daily_follows_unique"), {"period": "day"}),
)
POST_GROUP = InsightsGroup(
    (
        "post_media_view",
        "post_total_media_view_unique",
        "post_clicks",
        "post_reactions_like_total",
        "post_video_views",
    ),
    {"period": "lifetime"},
)
# Gone from every Graph version (impressions on 2025-06-15 and 2025-11-15, page_fans on 2025-11-15):
# developers.facebook.com/docs/platforminsights/page/deprecated-metrics
PAGE_RENAMED = {
    "page_impressions": "page_media_view",
    "page_impressions_unique": "page_total_media_view_unique",
    "page_fans": "page_follows",
}
POST_RENAMED = {
    "post_impressions": "post_media_view",
    "post_impressions_unique": "post_total_media_view_unique",
}
