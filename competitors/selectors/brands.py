"""Which competitor brands a workspace benchmarks, and whether each account is still gathering data."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from analytics.selectors.days import local_date

from ..models import BenchmarkedBrand, CompetitorBrand, RivalAccount


def benchmarked_brands(workspace) -> list[CompetitorBrand]:
    """The brands this workspace benchmarks, by name, with their accounts (two queries)."""
    return list(
        CompetitorBrand.objects.filter(
            organization_id=workspace.organization_id, benchmarked_in__workspace=workspace
        )
        .prefetch_related(Prefetch("accounts", queryset=RivalAccount.objects.order_by("platform", "handle")))
        .order_by("name")
    )


def competitor_brand_get(workspace, brand_id) -> CompetitorBrand | None:
    """A brand this workspace benchmarks; None for anything else (another tenant's: the caller 404s)."""
    try:
        brand_id = int(brand_id)
    except (TypeError, ValueError):
        return None
    return CompetitorBrand.objects.filter(
        pk=brand_id, organization_id=workspace.organization_id, benchmarked_in__workspace=workspace
    ).first()


def organization_brands_available(workspace) -> list[CompetitorBrand]:
    """The organization's brands this workspace does not benchmark yet (its other workspaces' rivals)."""
    picked = BenchmarkedBrand.objects.filter(workspace=workspace).values("brand_id")
    return list(
        CompetitorBrand.objects.filter(organization_id=workspace.organization_id)
        .exclude(pk__in=picked)
        .order_by("name")
    )


def first_complete_day(workspace, rival: RivalAccount) -> date | None:
    """The first workspace day we watched from its start: the day after the first pull's day."""
    if rival.first_pulled_at is None:
        return None
    return local_date(workspace, rival.first_pulled_at) + timedelta(days=1)


def rival_gathering(workspace, rival: RivalAccount, *, now=None) -> bool:
    """Gathering data until its first complete day has ended (never pulled counts as gathering)."""
    first = first_complete_day(workspace, rival)
    if first is None:
        return True
    return local_date(workspace, now or timezone.now()) <= first
