"""Bluesky: a rival's public records from its PDS (com.atproto.repo.*, no session needed) and, where an
AppView is reachable, its counts (app.bsky.actor.getProfile, app.bsky.feed.getPosts: public reads).

A lone PDS (tests/peers) has no AppView: followers and post counts are then "not offered", the posts
themselves are still read. Renaming keeps the DID, so a rival is stored by DID."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from channels_app.connectors.errors import ConnectorError, RateLimited, Rejected

from .base import PostFigures, PostPage, RivalNotFound, RivalPostData, RivalProfile, RivalSource, parse_time

POST = "app.bsky.feed.post"
APPVIEW = "did:web:api.bsky.app#bsky_appview"
COUNT_KEYS = ("likeCount", "replyCount", "repostCount", "quoteCount")


class BlueskyPublicSource(RivalSource):
    key = "bluesky.public"
    platform = "bluesky"
    page_size = 50
    common = {"likeCount": "likes", "replyCount": "comments", "repostCount": "shares", "quoteCount": "shares"}
    definition_note = _(
        "Bluesky counts come from the AppView; a server without one gives posts but no counts."
    )

    def _xrpc(self, nsid: str, params, *, operation: str, appview: bool = False) -> dict:
        headers = {"atproto-proxy": APPVIEW} if appview else None
        return self.get(f"xrpc/{nsid}", operation=operation, params=params, headers=headers)

    def _appview_profile(self, did: str) -> dict:
        try:
            return self._xrpc("app.bsky.actor.getProfile", {"actor": did}, operation="profile", appview=True)
        except RateLimited:
            raise
        except ConnectorError:
            # No AppView behind this server (a lone PDS answers 400 or 500 for a proxied read): no counts.
            return {}

    def _build(self, did: str) -> RivalProfile:
        try:
            repo = self._xrpc("com.atproto.repo.describeRepo", {"repo": did}, operation="profile")
        except Rejected as error:
            raise RivalNotFound(str(error)) from None
        handle = repo.get("handle", "")
        display = ""
        try:
            record = self._xrpc(
                "com.atproto.repo.getRecord",
                {"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self"},
                operation="profile",
            )
            display = (record.get("value") or {}).get("displayName", "")
        except Rejected:
            pass  # no profile record yet
        view = self._appview_profile(did)
        return RivalProfile(
            external_id=did,
            handle=handle,
            display_name=view.get("displayName") or display,
            avatar_url=view.get("avatar", ""),
            profile_url=f"https://bsky.app/profile/{handle}",
            followers=view.get("followersCount"),
        )

    def resolve(self, handle: str) -> RivalProfile:
        handle = handle.lstrip("@").lower()
        if handle.startswith("did:"):
            return self._build(handle)
        try:
            did = self._xrpc(
                "com.atproto.identity.resolveHandle", {"handle": handle}, operation="resolve_handle"
            )
        except Rejected as error:
            raise RivalNotFound(str(error)) from None
        return self._build(did["did"])

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        return self._build(external_id)

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        params = {"repo": external_id, "collection": POST, "limit": str(self.page_size)}
        if cursor:
            params["cursor"] = cursor
        try:
            body = self._xrpc("com.atproto.repo.listRecords", params, operation="list")
        except Rejected as error:
            raise RivalNotFound(str(error)) from None
        records = body.get("records") or []
        posts, older_left = [], False
        for record in records:
            value = record.get("value") or {}
            published = parse_time(value.get("createdAt", "1970-01-01T00:00:00Z"))
            if published < since:
                older_left = True
                break
            rkey = record["uri"].rsplit("/", 1)[-1]
            embed = (value.get("embed") or {}).get("$type", "")
            posts.append(
                RivalPostData(
                    external_id=rkey,
                    published_at=published,
                    text=value.get("text", ""),
                    url=f"https://bsky.app/profile/{external_id}/post/{rkey}",
                    media_kind="image" if "images" in embed else ("video" if "video" in embed else "text"),
                )
            )
        more = bool(body.get("cursor")) and len(records) == self.page_size and not older_left
        return PostPage(self._with_counts(external_id, posts), body.get("cursor", "") if more else "")

    def _with_counts(self, did: str, posts: list[RivalPostData]) -> list[RivalPostData]:
        counts = self._counts(did, [p.external_id for p in posts])
        return [
            RivalPostData(
                p.external_id, p.published_at, p.text, p.url, p.media_kind, counts.get(p.external_id, {})
            )
            for p in posts
        ]

    def _counts(self, did: str, rkeys: list[str]) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = {}
        for start in range(0, len(rkeys), 25):
            uris = [f"at://{did}/{POST}/{rkey}" for rkey in rkeys[start : start + 25]]
            try:
                body = self._xrpc(
                    "app.bsky.feed.getPosts",
                    [("uris", u) for u in uris],
                    operation="metrics_post",
                    appview=True,
                )
            except RateLimited:
                raise
            except ConnectorError:
                return found  # no AppView behind this server: no counts
            for view in body.get("posts") or []:
                found[view["uri"].rsplit("/", 1)[-1]] = {k: float(view[k]) for k in COUNT_KEYS if k in view}
        return found

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        """Ids are `<did>/<rkey>` (a record's key is only unique within its repo)."""
        found: dict[str, dict[str, float]] = {}
        deleted: list[str] = []
        for post_id in external_ids:
            did, _, rkey = post_id.rpartition("/")
            try:
                self._xrpc(
                    "com.atproto.repo.getRecord",
                    {"repo": did, "collection": POST, "rkey": rkey},
                    operation="lookup",
                )
            except Rejected:
                deleted.append(post_id)
                continue
            found[post_id] = self._counts(did, [rkey]).get(rkey, {})
        return PostFigures(found, deleted)
