"""The one explicit registry of connectors: platform key -> class. No registration by import side effect."""

from __future__ import annotations

from .base import Connector
from .bilibili.connector import BilibiliConnector
from .bluesky.connector import BlueskyConnector
from .douyin.connector import DouyinConnector
from .facebook.connector import FacebookConnector
from .instagram.connector import InstagramConnector
from .kuaishou.connector import KuaishouConnector
from .linkedin.connector import LinkedInConnector
from .mastodon.connector import MastodonConnector
from .tiktok.connector import TikTokConnector
from .wechat_channels.connector import WeChatChannelsConnector
from .wechat_oa.connector import WeChatOAConnector
from .weibo.connector import WeiboConnector
from .x.connector import XConnector
from .xiaohongshu.connector import XiaohongshuConnector
from .youtube.connector import YouTubeConnector

CONNECTORS: dict[str, type[Connector]] = {
    BlueskyConnector.platform: BlueskyConnector,
    WeiboConnector.platform: WeiboConnector,
    WeChatOAConnector.platform: WeChatOAConnector,
    XConnector.platform: XConnector,
    FacebookConnector.platform: FacebookConnector,
    InstagramConnector.platform: InstagramConnector,
    LinkedInConnector.platform: LinkedInConnector,
    MastodonConnector.platform: MastodonConnector,
    TikTokConnector.platform: TikTokConnector,
    YouTubeConnector.platform: YouTubeConnector,
    DouyinConnector.platform: DouyinConnector,
    KuaishouConnector.platform: KuaishouConnector,
    BilibiliConnector.platform: BilibiliConnector,
    XiaohongshuConnector.platform: XiaohongshuConnector,
    WeChatChannelsConnector.platform: WeChatChannelsConnector,
}


def connector_class(platform: str) -> type[Connector]:
    try:
        return CONNECTORS[platform]
    except KeyError:
        raise LookupError(f"no connector for platform {platform!r}") from None


def connector_for(platform: str, *, timeout: float | None = None) -> Connector:
    """A connector for `platform` configured from settings.PLATFORMS[platform] (base_url, auth_url,
    client_id, client_secret and any extra keys) and settings.PLATFORM_HTTP_TIMEOUT."""
    from django.conf import settings

    cls = connector_class(platform)
    conf = dict(settings.PLATFORMS.get(platform, {}))
    base_url = conf.pop("base_url", f"{settings.PLATFORM_SIM_URL}/{platform}")
    return cls(
        base_url=base_url,
        app={k: str(v) for k, v in conf.items()},
        timeout=timeout if timeout is not None else settings.PLATFORM_HTTP_TIMEOUT,
    )
