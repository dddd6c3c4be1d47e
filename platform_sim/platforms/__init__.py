"""One module per simulated platform: `SPEC` (a kit.PlatformSpec) and `routes()` (Starlette routes).

The explicit list below is what app.build_app() mounts under "/<key>".
"""

from __future__ import annotations

import importlib

# platform key -> module name under platform_sim.platforms
PLATFORM_MODULES: dict[str, str] = {
    "weibo": "weibo",
    "wechat_oa": "wechat_oa",
    "douyin": "douyin",
    "bilibili": "bilibili",
    "kuaishou": "kuaishou",
    "bluesky": "bluesky",
    "x": "x",
    "facebook": "facebook",
    "instagram": "instagram",
    "linkedin": "linkedin",
    "mastodon": "mastodon",
    "tiktok": "tiktok",
    "youtube": "youtube",
    "competitor_provider": "competitor_provider",
}


def load_platforms():
    """Import each listed module; a module that is missing is skipped (it may still be being written)."""
    loaded = {}
    for key, module_name in PLATFORM_MODULES.items():
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                continue
            raise
        loaded[key] = module
    return loaded
