"""Instagram: Business Discovery (Graph API), read through OUR connected Instagram business account
(`KAWO_COMPETITORS_INSTAGRAM_USER_ID` and its token): another business or creator account's profile and
media with like and comment counts. Business Discovery looks accounts up by username only: a rival that
renames itself, turns personal or private answers #110 and is marked gone ("add it again by its new
username"); a post missing from its media list over the window we track is reported deleted."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.connectors.instagram.connector import InstagramConnector

from .base import PostFigures, PostPage, RivalNotFound, RivalPostData, RivalProfile, RivalSource, parse_time

MEDIA_FIELDS = "id,timestamp,caption,media_type,permalink,like_count,comments_count"
FIGURE_PAGES = 4  # pages of media read to find the posts still tracked


class InstagramDiscoverySource(RivalSource):
    key = "instagram.business_discovery"
    platform = "instagram"
    page_size = 50
    common = {"like_count": "likes", "comments_count": "comments"}
    definition_note = _(
        "Instagram Business Discovery: business and creator accounts only; likes and comments, no reach or "
        "views; a renamed account must be added again by its new username."
    )

    def error_for(self, response, *, operation: str):
        """Graph errors: #110 (no such business or creator account by that username) is RivalNotFound;
        the rest as Instagram's connector maps them (rate limits with Meta's usage headers)."""
        if response.status_code == 400:
            try:
                error = (response.json() or {}).get("error") or {}
            except ValueError:
                error = {}
            if isinstance(error, dict) and error.get("code") == 110:
                return RivalNotFound(
                    f"instagram {operation}: {error.get('message', '')}"[:500],
                    platform_code=110,
                    platform_message=str(error.get("message", ""))[:500],
                    status_code=400,
                )
        return InstagramConnector(base_url=self.base_url).error_for(response, operation=operation)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {settings.KAWO_COMPETITORS_INSTAGRAM_TOKEN}"}

    def _discover(self, username: str, *, media: str = "", operation: str = "profile") -> dict:
        inner = "id,username,name,profile_picture_url,followers_count,media_count"
        if media:
            inner += "," + media
        body = self.get(
            settings.KAWO_COMPETITORS_INSTAGRAM_USER_ID,
            operation=operation,
            params={"fields": f"business_discovery.username({username}){{{inner}}}"},
        )
        return body.get("business_discovery") or {}

    def _profile(self, data: dict) -> RivalProfile:
        username = data.get("username", "")
        return RivalProfile(
            external_id=str(data["id"]),
            handle=username,
            display_name=data.get("name", ""),
            avatar_url=data.get("profile_picture_url", ""),
            profile_url=f"https://www.instagram.com/{username}/",
            followers=data.get("followers_count"),
        )

    def resolve(self, handle: str) -> RivalProfile:
        return self._profile(self._discover(handle.lstrip("@")))

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        found = self._profile(self._discover(handle))
        if found.external_id != external_id:
            raise RivalNotFound("instagram: that username now belongs to another account")
        return found

    def _media(self, handle: str, cursor: str) -> tuple[list[dict], str]:
        modifiers = f".limit({self.page_size})" + (f".after({cursor})" if cursor else "")
        data = self._discover(handle, media=f"media{modifiers}{{{MEDIA_FIELDS}}}", operation="list")
        media = data.get("media") or {}
        after = ((media.get("paging") or {}).get("cursors") or {}).get("after", "")
        return media.get("data") or [], str(after or "")

    def _post(self, item: dict) -> RivalPostData:
        return RivalPostData(
            external_id=str(item["id"]),
            published_at=parse_time(item["timestamp"].replace("+0000", "+00:00")),
            text=item.get("caption", ""),
            url=item.get("permalink", ""),
            media_kind={"VIDEO": "video", "CAROUSEL_ALBUM": "carousel"}.get(
                item.get("media_type", ""), "image"
            ),
            raw={k: float(item[k]) for k in self.common if item.get(k) is not None},
        )

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        items, after = self._media(handle or external_id, cursor)
        posts = []
        for item in items:
            post = self._post(item)
            if post.published_at < since:
                return PostPage(posts, "")
            posts.append(post)
        return PostPage(posts, after)

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        wanted, found, cursor = set(external_ids), {}, ""
        for _page in range(FIGURE_PAGES):
            items, cursor = self._media(handle, cursor)
            for item in items:
                if str(item["id"]) in wanted:
                    found[str(item["id"])] = self._post(item).raw
            if not cursor or len(found) == len(wanted):
                break
        return PostFigures(found, [i for i in external_ids if i not in found])
