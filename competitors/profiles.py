"""What a person types to name a rival: a profile URL, or a handle with its platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

# host (without www.) -> (platform, how to take the handle from the path)
_HOSTS: dict[str, tuple[str, re.Pattern]] = {
    "x.com": ("x", re.compile(r"^/@?([A-Za-z0-9_]{1,15})/?$")),
    "twitter.com": ("x", re.compile(r"^/@?([A-Za-z0-9_]{1,15})/?$")),
    "bsky.app": ("bluesky", re.compile(r"^/profile/([^/]+)/?$")),
    "weibo.com": ("weibo", re.compile(r"^/(?:u/)?([^/]+)/?$")),
    "m.weibo.cn": ("weibo", re.compile(r"^/(?:u|profile)/([^/]+)/?$")),
    "douyin.com": ("douyin", re.compile(r"^/user/([^/?]+)/?$")),
    "kuaishou.com": ("kuaishou", re.compile(r"^/profile/([^/?]+)/?$")),
    "xiaohongshu.com": ("xiaohongshu", re.compile(r"^/user/profile/([^/?]+)/?$")),
    "space.bilibili.com": ("bilibili", re.compile(r"^/(\d+)/?$")),
    "instagram.com": ("instagram", re.compile(r"^/([A-Za-z0-9_.]{1,30})/?$")),
    "youtube.com": ("youtube", re.compile(r"^/(?:channel/)?(@[A-Za-z0-9_.-]+|UC[A-Za-z0-9_-]+)/?$")),
    # Hosts of platforms without a rival source: named here so that their /@user paths are never taken
    # for a Mastodon account (the add form then says the platform is not supported).
    "tiktok.com": ("tiktok", re.compile(r"^/@([A-Za-z0-9_.]+)/?$")),
    "facebook.com": ("facebook", re.compile(r"^/([A-Za-z0-9_.-]+)/?$")),
    "linkedin.com": ("linkedin", re.compile(r"^/company/([^/?]+)/?$")),
}
# Mastodon instances are many: any host with an /@user path that is not one of the above.
_MASTODON_PATH = re.compile(r"^/@([A-Za-z0-9_.-]+)/?$")


@dataclass(frozen=True)
class ProfileRef:
    platform: str
    handle: str


def profile_parse(text: str, platform: str = "") -> ProfileRef | None:
    """The platform and handle a URL or handle names; None when it names nothing we can read.

    A URL decides the platform itself (a Mastodon URL gives `user@host`); a bare handle needs `platform`."""
    text = (text or "").strip()
    if not text:
        return None
    if "://" in text or text.startswith(("www.", "x.com/", "bsky.app/")):
        parsed = urlparse(text if "://" in text else f"https://{text}")
        host = (parsed.hostname or "").lower().removeprefix("www.")
        if host in _HOSTS:
            found_platform, pattern = _HOSTS[host]
            match = pattern.match(parsed.path)
            if match and (not platform or platform == found_platform):
                return ProfileRef(found_platform, match.group(1))
            return None
        match = _MASTODON_PATH.match(parsed.path)
        if match and platform in ("", "mastodon"):
            return ProfileRef("mastodon", f"{match.group(1)}@{host}")
        return None
    if not platform:
        return None
    handle = text.lstrip("@")
    return ProfileRef(platform, handle) if handle else None
