"""The metric registry (registry.py explains it); callers import from here."""

from .registry import (
    COMMON_METRICS,
    PLATFORM_METRICS,
    Aggregation,
    CommonMetric,
    Level,
    PlatformMetric,
    Unit,
    UnknownMetric,
    common_metric,
    feeders,
    is_known,
    metric_successor,
    platform_metric,
    platform_metrics,
)

__all__ = [
    "COMMON_METRICS",
    "PLATFORM_METRICS",
    "Aggregation",
    "CommonMetric",
    "Level",
    "PlatformMetric",
    "Unit",
    "UnknownMetric",
    "common_metric",
    "feeders",
    "is_known",
    "metric_successor",
    "platform_metric",
    "platform_metrics",
]
