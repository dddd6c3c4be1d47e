"""Engagement rates. Every rate names its denominator; the three are different metrics:

* `engagement_rate_by_followers` = engagements / the account's followers on the day of publishing
* `engagement_rate_by_reach`     = engagements / reach (people who saw the post)
* `engagement_rate_by_views`     = engagements / views (times it was shown or played)

For one post the rate is that quotient. For a set of posts (an account, a period, a tag) it is the sum of
the posts' engagements over the sum of their denominators, counting only posts that have both figures
(a platform without reach, such as X, is left out of the rate by reach and counted in `posts_left_out`),
so the result is the denominator-weighted mean of the posts' rates, never an average of ratios that lets
a post seen by ten people outweigh one seen by a million. A zero or missing denominator gives None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .posts import PostFigures, post_figures

RATE_DENOMINATORS = {
    "engagement_rate_by_followers": "followers",
    "engagement_rate_by_reach": "reach",
    "engagement_rate_by_views": "views",
}
BASIS_TO_RATE = {
    "by_followers": "engagement_rate_by_followers",
    "by_reach": "engagement_rate_by_reach",
    "by_views": "engagement_rate_by_views",
}


@dataclass(frozen=True)
class Rate:
    key: str
    denominator: str
    engagements: float
    denominator_total: float
    value: float | None
    posts: int
    posts_left_out: int


def post_denominator(figure: PostFigures, rate: str) -> float | None:
    name = RATE_DENOMINATORS[rate]
    return figure.followers if name == "followers" else figure.common.get(name)


def post_engagement_rate(figure: PostFigures, rate: str) -> float | None:
    """One post's rate (`rate` is a key of RATE_DENOMINATORS)."""
    engagements = figure.common.get("engagements")
    denominator = post_denominator(figure, rate)
    if engagements is None or not denominator:
        return None
    return engagements / denominator


def rate_of(figures: Iterable[PostFigures], rate: str) -> Rate:
    """The rate of a set of posts (see the module docstring)."""
    numerator = denominator = 0.0
    used = left_out = 0
    for figure in figures:
        engagements = figure.common.get("engagements")
        base = post_denominator(figure, rate)
        if engagements is None or not base:
            left_out += 1
            continue
        numerator += engagements
        denominator += base
        used += 1
    return Rate(
        key=rate,
        denominator=RATE_DENOMINATORS[rate],
        engagements=numerator,
        denominator_total=denominator,
        value=numerator / denominator if denominator else None,
        posts=used,
        posts_left_out=left_out,
    )


def engagement_rates(workspace, *, start: date, end: date, account_ids=None) -> dict[str, Rate]:
    """The three engagement rates of the posts published on the workspace's days `start`..`end`."""
    figures = post_figures(workspace, start=start, end=end, account_ids=account_ids)
    return {rate: rate_of(figures, rate) for rate in RATE_DENOMINATORS}
