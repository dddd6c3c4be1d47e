"""How simulated figures grow: one model every platform module reads its metrics from.

A post's figures follow a saturating curve from the moment it was created (most views in the first day,
a long tail after), scaled by the account's followers and a per-post "luck" factor drawn from the post's id,
so two posts never look alike and the same post always answers the same figure at the same instant.
An account's followers grow a little every day. Everything is a pure function of (ids, created_at, now),
so tests can compute the figure they expect.

Per account, `Account.options` (set through `POST /_sim/accounts/{platform}/{id}/options`) can shape the
answers as the real platforms do:
- `metrics_removed`: platform metric names the platform no longer serves (answered as the platform
  answers a removed metric, in each module);
- `metrics_late_days`: the most recent N days of account figures are flagged as not final;
- `metrics_min_followers`: below this, the platform refuses audience metrics (Douyin's threshold).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

DAY = 86400.0

# The common shape of a post's lifetime figures; each platform module names them its own way.
POST_FIGURES = (
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "video_plays",
    "watch_seconds",
    "coins",
    "danmaku",
    "profile_visits",
)

# Per 1,000 followers, the figure a post reaches when its curve has saturated (before luck).
_RATES = {
    "views": 900.0,
    "reach": 600.0,
    "likes": 40.0,
    "comments": 6.0,
    "shares": 5.0,
    "saves": 8.0,
    "clicks": 12.0,
    "video_plays": 700.0,
    "watch_seconds": 9000.0,
    "coins": 3.0,
    "danmaku": 4.0,
    "profile_visits": 10.0,
}


def luck(seed: str) -> float:
    """A factor in [0.4, 1.6) fixed by `seed` (a post or account id)."""
    digest = hashlib.sha256(seed.encode()).digest()
    return 0.4 + 1.2 * int.from_bytes(digest[:4], "big") / 2**32


def saturation(age_seconds: float, *, half_life_hours: float = 18.0) -> float:
    """0 at creation, 0.5 after `half_life_hours`, approaching 1."""
    if age_seconds <= 0:
        return 0.0
    return 1.0 - math.exp(-math.log(2) * age_seconds / (half_life_hours * 3600.0))


def post_figures(
    post_id: str, *, created_at: float, now: float, followers: int, boost: float = 1.0
) -> dict[str, int]:
    """A post's lifetime figures at `now`, by common name (see POST_FIGURES); `boost` multiplies them (a
    post that went viral, set by a test through the control API's `boost`)."""
    base = max(followers, 50) / 1000.0 * luck(post_id) * saturation(now - created_at) * boost
    return {name: int(rate * base) for name, rate in _RATES.items()}


def followers_on(account_id: str, *, followers_now: int, created_at: float, when: float) -> int:
    """Followers at `when`: the account gained about 0.3% a day (by luck) up to `followers_now` today."""
    daily = 0.003 * luck(account_id)
    days_before_now = max(0.0, (created_at - when) / DAY)
    return max(0, int(followers_now / (1 + daily) ** days_before_now))


def account_day(account_id: str, *, followers: int, day_index: int) -> dict[str, int]:
    """An account's figures for one day (`day_index` days since the epoch, UTC): impressions/views, reach,
    profile visits and new followers, varying by weekday and by a per-day draw."""
    weekday = (day_index + 3) % 7  # 1970-01-01 was a Thursday
    weekday_factor = 0.8 if weekday >= 5 else 1.0
    draw = luck(f"{account_id}:{day_index}")
    scale = max(followers, 50) / 1000.0 * weekday_factor * draw
    return {
        "views": int(1200 * scale),
        "reach": int(700 * scale),
        "profile_visits": int(15 * scale),
        "new_followers": int(3 * scale),
    }


def removed(options: dict[str, Any], key: str) -> bool:
    return key in (options.get("metrics_removed") or ())


def late_days(options: dict[str, Any]) -> int:
    return int(options.get("metrics_late_days") or 0)


def below_threshold(options: dict[str, Any], followers: int) -> bool:
    return followers < int(options.get("metrics_min_followers") or 0)
