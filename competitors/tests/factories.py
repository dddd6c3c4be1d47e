"""Competitor rows made directly (no data source call), for selectors, pages and the isolation matrix."""

from __future__ import annotations

import itertools

from competitors.models import BenchmarkedBrand, BrandGroup, CompetitorBrand, RivalAccount

_ids = itertools.count(1)


def benchmarked_brand(workspace, *, name: str = "", platform: str = "x", handle: str = "", followers=None):
    """A competitor brand with one account, benchmarked in `workspace`; returns (brand, account)."""
    n = next(_ids)
    group, _created = BrandGroup.objects.get_or_create(organization_id=workspace.organization_id)
    brand = CompetitorBrand.objects.create(
        group=group, organization_id=workspace.organization_id, name=name or f"Rival {n}"
    )
    BenchmarkedBrand.objects.create(workspace=workspace, brand=brand)
    account = RivalAccount.objects.create(
        brand=brand,
        organization_id=workspace.organization_id,
        platform=platform,
        external_id=f"ext-{n}",
        handle=handle or f"rival{n}",
        followers=followers,
        source="x.public_metrics" if platform == "x" else "provider",
    )
    return brand, account
