"""Period over period: a figure for [start, end] against the same figure for the period of the same
length just before it (workspace calendar days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..metrics import COMMON_METRICS
from .accounts import account_period_values
from .days import previous_period
from .posts import post_figures
from .rates import RATE_DENOMINATORS, rate_of


@dataclass(frozen=True)
class PeriodChange:
    metric: str
    current: float | None
    previous: float | None
    # current - previous, and that over previous (None when either is missing or previous is 0).
    change: float | None
    change_ratio: float | None


def _posts_value(workspace, metric: str, start: date, end: date, account_ids) -> float | None:
    # Each period's posts are read as of that period's last day, so both had the same time to grow.
    figures = post_figures(workspace, start=start, end=end, account_ids=account_ids)
    if metric in RATE_DENOMINATORS:
        return rate_of(figures, metric).value
    values = [f.common[metric] for f in figures if f.common.get(metric) is not None]
    return sum(values) if values else None


def _accounts_value(workspace, metric: str, start: date, end: date, account_ids) -> float | None:
    values = account_period_values(workspace, metric=metric, start=start, end=end, account_ids=account_ids)
    present = [value for value in values.values() if value is not None]
    return sum(present) if present else None


def period_over_period(
    workspace, *, metric: str, start: date, end: date, level: str = "post", account_ids=None
) -> PeriodChange:
    """`level="post"`: the metric summed over the posts published in each period (or, for an engagement
    rate, the rate of those posts). `level="account"`: the accounts' own figure for each period (the sum
    of the days for per-day metrics, the last value for followers), summed over the accounts."""
    if metric not in COMMON_METRICS and not (level == "post" and metric in RATE_DENOMINATORS):
        raise ValueError(f"unknown metric for level {level}: {metric}")
    read = _posts_value if level == "post" else _accounts_value
    before_start, before_end = previous_period(start, end)
    current = read(workspace, metric, start, end, account_ids)
    previous = read(workspace, metric, before_start, before_end, account_ids)
    change = current - previous if current is not None and previous is not None else None
    ratio = change / previous if change is not None and previous else None
    return PeriodChange(metric=metric, current=current, previous=previous, change=change, change_ratio=ratio)
