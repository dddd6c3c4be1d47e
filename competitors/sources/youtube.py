"""YouTube: Data API v3 public reads with the project's API key (channels.list forHandle/id,
playlistItems.list of the uploads playlist, videos.list statistics). Each call costs 1 quota unit."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .base import PostFigures, PostPage, RivalNotFound, RivalPostData, RivalProfile, RivalSource, parse_time


def uploads_playlist(channel_id: str) -> str:
    return "UU" + channel_id[2:]


class YouTubePublicSource(RivalSource):
    key = "youtube.data_api"
    platform = "youtube"
    page_size = 50
    common = {"likeCount": "likes", "commentCount": "comments", "viewCount": "views"}
    definition_note = _("YouTube shows subscriber counts rounded to three significant figures and no shares.")

    def _params(self, **params) -> dict:
        return {**params, "key": settings.KAWO_COMPETITORS_YOUTUBE_API_KEY}

    def _channel(self, **query) -> RivalProfile:
        body = self.get(
            "youtube/v3/channels",
            operation="profile",
            params=self._params(part="snippet,statistics", **query),
        )
        items = body.get("items") or []
        if not items:
            raise RivalNotFound(f"youtube: no channel for {query}")
        item = items[0]
        snippet, statistics = item.get("snippet") or {}, item.get("statistics") or {}
        handle = (snippet.get("customUrl") or "").lstrip("@")
        subscribers = statistics.get("subscriberCount")
        return RivalProfile(
            external_id=item["id"],
            handle=handle,
            display_name=snippet.get("title", ""),
            avatar_url=((snippet.get("thumbnails") or {}).get("default") or {}).get("url", ""),
            profile_url=f"https://www.youtube.com/@{handle}" if handle else "",
            followers=None
            if statistics.get("hiddenSubscriberCount") or subscribers is None
            else int(subscribers),
        )

    def resolve(self, handle: str) -> RivalProfile:
        if handle.startswith("UC"):
            return self._channel(id=handle)
        return self._channel(forHandle="@" + handle.lstrip("@"))

    def profile(self, external_id: str, *, handle: str = "") -> RivalProfile:
        return self._channel(id=external_id)

    def posts(self, external_id: str, *, since: datetime, cursor: str = "", handle: str = "") -> PostPage:
        params = self._params(
            part="contentDetails,snippet",
            playlistId=uploads_playlist(external_id),
            maxResults=str(self.page_size),
        )
        if cursor:
            params["pageToken"] = cursor
        body = self.get("youtube/v3/playlistItems", operation="list", params=params)
        items, older_left = [], False
        for item in body.get("items") or []:
            details = item.get("contentDetails") or {}
            published = parse_time(details.get("videoPublishedAt") or item["snippet"]["publishedAt"])
            if published < since:
                older_left = True
                break
            items.append((details["videoId"], published, item.get("snippet") or {}))
        figures = self.post_figures([video_id for video_id, _p, _s in items]).found if items else {}
        posts = [
            RivalPostData(
                external_id=video_id,
                published_at=published,
                text=snippet.get("title") or snippet.get("description", ""),
                url=f"https://www.youtube.com/watch?v={video_id}",
                media_kind="video",
                raw=figures.get(video_id, {}),
            )
            for video_id, published, snippet in items
        ]
        return PostPage(posts, "" if older_left else str(body.get("nextPageToken") or ""))

    def post_figures(self, external_ids: list[str], *, handle: str = "") -> PostFigures:
        found: dict[str, dict[str, float]] = {}
        for start in range(0, len(external_ids), 50):
            chunk = external_ids[start : start + 50]
            body = self.get(
                "youtube/v3/videos",
                operation="metrics_post",
                params=self._params(part="statistics", id=",".join(chunk)),
            )
            for item in body.get("items") or []:
                statistics = item.get("statistics") or {}
                found[item["id"]] = {k: float(v) for k, v in statistics.items() if k in self.common}
        return PostFigures(found, [i for i in external_ids if i not in found])
