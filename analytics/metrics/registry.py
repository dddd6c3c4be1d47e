"""The metric registry: every platform metric we store, what it means, and the common metric it feeds.

Two kinds of metric:

* **Common metrics** (`COMMON_METRICS`): the cross-platform vocabulary reports speak (views, reach,
  engagements, followers ...). Each has one unit.
* **Platform metrics** (`PLATFORM_METRICS[platform]`): what one platform's API returns, under the
  platform's own field name, kept raw beside the common figure. Each names the common metric it feeds
  (or none: Bilibili coins feed nothing), how a period adds it up (`Aggregation`), the factor that turns
  its unit into the common unit, and, for metrics the platform renamed or dropped, `replaced_by` and
  `removed_on` (Meta 2025: Instagram `impressions`/`plays` became `views` on 2025-04-21; Facebook Page
  `page_fans` became `page_follows` and `page_impressions*` became `page_*media_view*` on 2025-11-15).

Order matters: within one platform and level, the feeders of a common metric are listed best first
(successor before predecessor). A common figure for one entity and day takes the first feeder that has
a value, never a sum of feeders, so history from before a rename still counts and a day that has both
the old and the new metric is not counted twice. A common metric with `components` (engagements) falls
back to the sum of its components' common figures when the platform reports no direct value.

Adding a platform's metrics: see analytics/README.md ("Adding a platform's metrics").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Level(StrEnum):
    ACCOUNT = "account"
    POST = "post"


class Aggregation(StrEnum):
    # The value is a running total (a post's likes so far) or a level (followers today): a period's value
    # is the last one, and a change is a difference of two values.
    LAST = "last"
    # The value covers one platform day (a Page's views yesterday): a period's value is the sum of its days.
    SUM = "sum"

    @property
    def label(self) -> Promise:
        """How a period adds the metric up, in the active language."""
        return _AGGREGATION_LABELS[self]


_AGGREGATION_LABELS: dict[Aggregation, Promise] = {
    Aggregation.LAST: _("Latest value (a running total or a level)"),
    Aggregation.SUM: _("Sum of the days"),
}


class Unit(StrEnum):
    COUNT = "count"
    SECONDS = "seconds"
    MINUTES = "minutes"
    MILLISECONDS = "milliseconds"
    RATIO = "ratio"
    COINS = "coins"

    @property
    def label(self) -> Promise:
        """The unit as a reader says it, in the active language (the value stays the machine code)."""
        return _UNIT_LABELS[self]


_UNIT_LABELS: dict[Unit, Promise] = {
    Unit.COUNT: _("count"),
    Unit.SECONDS: _("seconds"),
    Unit.MINUTES: _("minutes"),
    Unit.MILLISECONDS: _("milliseconds"),
    Unit.RATIO: _("ratio"),
    Unit.COINS: _("coins"),
}


@dataclass(frozen=True)
class CommonMetric:
    key: str
    # Lazy: translated when shown, in the reader's language. Left out of ==/hash, whose result must not
    # depend on the active language.
    name: Promise = field(compare=False)
    meaning: Promise = field(compare=False)
    unit: Unit
    # Summed (as common figures) when a platform reports no direct value for this metric.
    components: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformMetric:
    platform: str
    key: str
    name: Promise = field(compare=False)  # lazy, like CommonMetric's
    meaning: Promise = field(compare=False)
    unit: Unit
    level: Level
    feeds: str | None
    aggregation: Aggregation
    # Where it comes from: API version, endpoint and field, so a reader can check it.
    source: str
    replaced_by: str = ""
    removed_on: date | None = None
    # Multiply by this to express the value in the common metric's unit (milliseconds -> seconds: 0.001).
    to_common: float = 1.0

    @property
    def qualified_key(self) -> str:
        return f"{self.platform}.{self.key}"

    def available_on(self, day: date) -> bool:
        """Whether the platform still serves this metric on `day` (removal takes effect on removed_on)."""
        return self.removed_on is None or day < self.removed_on


COMMON_METRICS: dict[str, CommonMetric] = {
    metric.key: metric
    for metric in (
        CommonMetric("views", _("Views"), _("Times the content was shown or played."), Unit.COUNT),
        CommonMetric("reach", _("Reach"), _("Distinct people who saw the content."), Unit.COUNT),
        CommonMetric(
            "engagements",
            _("Engagements"),
            _(
                "Interactions with the content, as the platform counts them; otherwise likes + comments + "
                "shares + saves."
            ),
            Unit.COUNT,
            components=("likes", "comments", "shares", "saves"),
        ),
        CommonMetric("likes", _("Likes"), _("Likes, reactions, favourites or diggs."), Unit.COUNT),
        CommonMetric("comments", _("Comments"), _("Comments and replies."), Unit.COUNT),
        CommonMetric("shares", _("Shares"), _("Shares, reposts, reblogs and forwards."), Unit.COUNT),
        CommonMetric(
            "saves", _("Saves"), _("Saves, bookmarks and favourites into a collection."), Unit.COUNT
        ),
        CommonMetric(
            "followers", _("Followers"), _("Followers, fans or subscribers at the time."), Unit.COUNT
        ),
        CommonMetric(
            "follower_growth", _("Follower growth"), _("Followers gained in the period."), Unit.COUNT
        ),
        CommonMetric("video_plays", _("Video plays"), _("Times a video started playing."), Unit.COUNT),
        CommonMetric("watch_time", _("Watch time"), _("Total time people spent watching."), Unit.SECONDS),
        CommonMetric("link_clicks", _("Link clicks"), _("Clicks on links in the content."), Unit.COUNT),
        CommonMetric(
            "profile_visits", _("Profile visits"), _("Visits to the account's profile or page."), Unit.COUNT
        ),
    )
}


def _build() -> dict[str, tuple[PlatformMetric, ...]]:
    from .platforms_china import CHINA_METRICS
    from .platforms_global import GLOBAL_METRICS

    merged = {**GLOBAL_METRICS, **CHINA_METRICS}
    return {platform: tuple(metrics) for platform, metrics in merged.items()}


PLATFORM_METRICS: dict[str, tuple[PlatformMetric, ...]] = _build()
# A key is unique per platform and level (Instagram's account `views` and media `views` are different
# metrics); a snapshot row's level is known from it (a post row carries the platform's post id).
_BY_KEY: dict[tuple[str, Level, str], PlatformMetric] = {
    (metric.platform, metric.level, metric.key): metric
    for metrics in PLATFORM_METRICS.values()
    for metric in metrics
}


class UnknownMetric(KeyError):
    """A metric key the registry does not list for that platform."""


def platform_metrics(platform: str, *, level: Level | None = None) -> tuple[PlatformMetric, ...]:
    """The platform's metrics in registry order (an unknown platform has none)."""
    metrics = PLATFORM_METRICS.get(platform, ())
    return tuple(m for m in metrics if level is None or m.level == level)


def platform_metric(platform: str, key: str, *, level: Level) -> PlatformMetric:
    try:
        return _BY_KEY[(platform, Level(level), key)]
    except KeyError:
        raise UnknownMetric(f"{platform}.{level}.{key}") from None


def is_known(platform: str, key: str, *, level: Level) -> bool:
    return (platform, level, key) in _BY_KEY


def metric_successor(platform: str, key: str, *, level: Level, on: date | None = None) -> PlatformMetric:
    """The metric to ask for instead of `platform.key`: follows `replaced_by` until a metric still served
    (on `on`, when given; otherwise today's registry, i.e. the newest). A metric never replaced is its
    own successor."""
    metric = platform_metric(platform, key, level=level)
    seen = {metric.key}
    while metric.replaced_by and (on is None or not metric.available_on(on)):
        metric = platform_metric(platform, metric.replaced_by, level=level)
        if metric.key in seen:  # a cycle would be a registry bug; the registry test forbids it
            raise ValueError(f"replaced_by cycle at {platform}.{key}")
        seen.add(metric.key)
    return metric


def feeders(platform: str, common: str, *, level: Level) -> tuple[PlatformMetric, ...]:
    """The platform metrics that feed `common` at `level`, best first."""
    return tuple(m for m in platform_metrics(platform, level=level) if m.feeds == common)


def common_metric(key: str) -> CommonMetric:
    try:
        return COMMON_METRICS[key]
    except KeyError:
        raise UnknownMetric(key) from None
