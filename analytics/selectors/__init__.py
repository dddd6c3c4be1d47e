"""Reads of analytics figures. Every selector takes the workspace first; periods are the workspace's
calendar days (its time zone), both ends inclusive. README.md defines each number."""

from .accounts import DailyValue, account_daily, account_period_values, account_values_on
from .best_time import BestTimeCell, best_time_to_post
from .days import day_bounds, local_date, previous_period
from .periods import PeriodChange, period_over_period
from .posts import PostFigures, common_post_value, post_figures
from .rates import RATE_DENOMINATORS, Rate, engagement_rates, post_engagement_rate, rate_of
from .tags import TagPerformance, TagRow, tag_performance
from .workspace_settings import (
    analytics_settings_get,
    custom_metric_value,
    custom_metrics,
    lead_engagement_rate,
)

__all__ = [
    "RATE_DENOMINATORS",
    "BestTimeCell",
    "DailyValue",
    "PeriodChange",
    "PostFigures",
    "Rate",
    "TagPerformance",
    "TagRow",
    "account_daily",
    "account_period_values",
    "account_values_on",
    "analytics_settings_get",
    "best_time_to_post",
    "common_post_value",
    "custom_metric_value",
    "custom_metrics",
    "day_bounds",
    "engagement_rates",
    "lead_engagement_rate",
    "local_date",
    "period_over_period",
    "post_engagement_rate",
    "post_figures",
    "previous_period",
    "rate_of",
    "tag_performance",
]
