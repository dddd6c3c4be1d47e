"""Mastodon: public reads without a token (accounts/lookup, an account's public statuses, statuses by id).

Asked of the configured instance (settings.PLATFORMS["mastodon"]); Mastodon's lookup resolves
`user@other.host` for accounts that instance knows, so a rival on another server is read through it."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from channels_app.connectors.errors import Rejected

from ..text import strip_html
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


class MastodonPublicSource(RivalSource):
    key = "mastodon.public"
    platform = "mastodon"
    page_size = 40
    common = {"favourites_count": "likes", "replies_count": "comments", "reblogs_count": "shares"}
    definition_note = _(
        "Mastodon counts only what this server knows of other servers' favourites and boosts."
    )

    def _profile(self, data: dict) -> RivalProfile:
        return RivalProfile(
            external_id=str(data["id"]),
            handle=data.get("acct") or data.get("username", ""),
            display_name=data.get("display_name", ""),
            avatar_url=data.get("avatar", ""),
            profile_url=data.get("url", ""),
            followers=data.get("followers_count"),
            private=bool(data.get("locked")),
        )

    def _account(self, path: str, params=None) -> dict:
        try:
            return self.get(path, operation="profile", params=params)
        except Rejected as error:
            if error.status_code == 404:
                raise RivalNotFound(str(error)) from None
            raise

    def resolve(self, handle: str) -> RivalProfile:
        return self._profile(self._account("api/v1/accounts/lookup", {"acct": handle.lstrip("@")}))

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        return self._profile(self._account(f"api/v1/accounts/{external_id}"))

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        if not cursor and self.profile(external_id).private:
            raise RivalPrivate("mastodon: the account is locked")
        params = {"limit": str(self.page_size), "exclude_reblogs": "true"}
        if cursor:
            params["max_id"] = cursor
        items = self.get(f"api/v1/accounts/{external_id}/statuses", operation="list", params=params)
        posts, older_left = [], False
        for item in items:
            published = parse_time(item["created_at"])
            if published < since:
                older_left = True
                break
            posts.append(
                RivalPostData(
                    external_id=str(item["id"]),
                    published_at=published,
                    text=strip_html(item.get("content", "")),
                    url=item.get("url") or "",
                    media_kind=(item.get("media_attachments") or [{}])[0].get("type", "text")
                    if item.get("media_attachments")
                    else "text",
                    raw={k: float(item[k]) for k in self.common if item.get(k) is not None},
                )
            )
        more = len(items) == self.page_size and not older_left
        return PostPage(posts, posts[-1].external_id if more and posts else "")

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        found: dict[str, dict[str, float]] = {}
        for start in range(0, len(external_ids), 20):
            chunk = external_ids[start : start + 20]
            items = self.get("api/v1/statuses", operation="metrics_post", params=[("id[]", i) for i in chunk])
            for item in items:
                found[str(item["id"])] = {k: float(item[k]) for k in self.common if item.get(k) is not None}
        return PostFigures(found, [i for i in external_ids if i not in found])
