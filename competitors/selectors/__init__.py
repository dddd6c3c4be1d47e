"""Reads of the competitors app: workspace first, periods are the workspace's days (both ends included)."""

from .alerts import competitor_alerts
from .benchmark import (
    Benchmark,
    BrandFigures,
    Spike,
    benchmark,
    colour_of,
    median_mad,
    post_spikes,
)
from .brands import benchmarked_brands, competitor_brand_get, organization_brands_available, rival_gathering

__all__ = [
    "Benchmark",
    "BrandFigures",
    "Spike",
    "benchmark",
    "benchmarked_brands",
    "colour_of",
    "competitor_alerts",
    "competitor_brand_get",
    "median_mad",
    "organization_brands_available",
    "post_spikes",
    "rival_gathering",
]
