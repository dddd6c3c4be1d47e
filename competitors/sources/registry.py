"""The one explicit registry of competitor data sources: platform -> how to read a rival there."""

from __future__ import annotations

from .base import RivalSource
from .bluesky import BlueskyPublicSource
from .instagram import InstagramDiscoverySource
from .mastodon import MastodonPublicSource
from .provider import PROVIDER_PLATFORMS, ProviderSource
from .x import XPublicSource
from .youtube import YouTubePublicSource

OFFICIAL_SOURCES: dict[str, type[RivalSource]] = {
    XPublicSource.platform: XPublicSource,
    MastodonPublicSource.platform: MastodonPublicSource,
    BlueskyPublicSource.platform: BlueskyPublicSource,
    YouTubePublicSource.platform: YouTubePublicSource,
    InstagramDiscoverySource.platform: InstagramDiscoverySource,
}

SUPPORTED_PLATFORMS: tuple[str, ...] = (*OFFICIAL_SOURCES, *PROVIDER_PLATFORMS)


def source_for(platform: str) -> RivalSource:
    """A source configured from settings for `platform`; LookupError when no source reads it."""
    if platform in OFFICIAL_SOURCES:
        return OFFICIAL_SOURCES[platform]()
    if platform in PROVIDER_PLATFORMS:
        return ProviderSource(platform=platform)
    raise LookupError(f"no competitor data source for platform {platform!r}")


def source_class(platform: str) -> type[RivalSource]:
    if platform in OFFICIAL_SOURCES:
        return OFFICIAL_SOURCES[platform]
    if platform in PROVIDER_PLATFORMS:
        return ProviderSource
    raise LookupError(platform)
