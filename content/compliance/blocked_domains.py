"""Domains that do not open in mainland China, and the platforms whose audience is there.

Source: the long-standing, widely reported blocks of the Great Firewall (Google services since 2014,
Facebook since 2009, Twitter/X and YouTube since 2009, Instagram since 2014, Wikipedia in all languages
since 2019, Telegram, WhatsApp, Reddit, Discord ...), as tracked by GreatFire.org's censorship analyzer and
the "Websites blocked in mainland China" overview. Blocks change; this list keeps the stable, well-known
ones only. A workspace can pass its own list to `check(blocked_domains=...)`.

Every entry covers its subdomains too: "google.com" covers "www.google.com" and "maps.google.com", not
"notgoogle.com".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BLOCKED_IN_MAINLAND_DOMAINS: frozenset[str] = frozenset(
    {
        # Google
        "google.com",
        "google.com.hk",
        "goo.gl",
        "g.co",
        "gmail.com",
        "youtube.com",
        "youtu.be",
        "blogspot.com",
        "blogger.com",
        # Meta
        "facebook.com",
        "fb.com",
        "fb.me",
        "fb.watch",
        "instagram.com",
        "instagr.am",
        "whatsapp.com",
        "wa.me",
        "threads.net",
        "threads.com",
        # X / Twitter
        "twitter.com",
        "x.com",
        "t.co",
        # messaging, communities, media
        "telegram.org",
        "t.me",
        "discord.com",
        "discord.gg",
        "reddit.com",
        "redd.it",
        "wikipedia.org",
        "wikimedia.org",
        "medium.com",
        "tumblr.com",
        "pinterest.com",
        "pin.it",
        "vimeo.com",
        "twitch.tv",
        "dropbox.com",
        "quora.com",
        "nytimes.com",
        "wsj.com",
        "bloomberg.com",
        "reuters.com",
    }
)

# Accounts on these platforms publish to an audience in mainland China: a link there must open there.
CHINESE_PLATFORMS: dict[str, str] = {
    "wechat_oa": _("WeChat Official Account"),
    "weibo": _("Weibo"),
    "douyin": _("Douyin"),
    "bilibili": _("Bilibili"),
    "kuaishou": _("Kuaishou"),
    "xiaohongshu": _("Xiaohongshu"),
    "wechat_channels": _("WeChat Channels"),
}
