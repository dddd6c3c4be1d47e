"""Cost per engagement, per view and CPM (cost per thousand views) of a budget's campaigns and posts:
spend from budgets (counted: paid and committed, approved, in the budget's currency) over engagements and
views from analytics' stored figures (the posts published in the budget's period, as last read up to
today or the period's end; never a platform call).

A campaign's spend is the budget's per-campaign total (entries naming it, or the budget's own campaign);
its posts are those of the campaign. A post's spend is the entries linked to it; an entry linked to
several posts is split evenly among them. Without engagements (or views) there is no such cost (None).
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from analytics import selectors as analytics
from content.models import Campaign, Post

from .models import Budget, SpendEntry, SpendStatus
from .money import money_context


@dataclass(frozen=True)
class Cost:
    name: str
    spend: Decimal
    engagements: int
    views: int

    def _per(self, count: int, scale: int = 1) -> Decimal | None:
        if not count:
            return None
        with decimal.localcontext(money_context()):
            return self.spend * scale / Decimal(count)

    @property
    def per_engagement(self) -> Decimal | None:
        return self._per(self.engagements)

    @property
    def per_view(self) -> Decimal | None:
        return self._per(self.views)

    @property
    def cpm(self) -> Decimal | None:
        return self._per(self.views, 1000)


def _count(value) -> int:
    return int(round(value or 0))


def budget_costs(budget: Budget, totals, entries: list[SpendEntry], *, today: date):
    """(campaign costs, post costs) of the budget, each a list of Cost; `totals` and `entries` are the
    reader's (agency-scoped when the reader is an agency person)."""
    as_of = min(today, budget.ends_on)
    figures = analytics.post_figures(
        budget.workspace, start=budget.starts_on, end=budget.ends_on, as_of=as_of
    )
    by_post: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for item in figures:
        engagements, views = by_post[item.post_id]
        by_post[item.post_id] = (
            engagements + _count(item.common.get("engagements")),
            views + _count(item.common.get("views")),
        )
    campaign_ids = [key for key in totals.campaigns if key]
    names = dict(
        Campaign.objects.filter(workspace=budget.workspace, pk__in=campaign_ids).values_list("pk", "name")
    )
    posts_of: dict[int, list[int]] = defaultdict(list)
    for pk, campaign_id in Post.objects.filter(
        workspace=budget.workspace, campaign_id__in=campaign_ids
    ).values_list("pk", "campaign_id"):
        posts_of[campaign_id].append(pk)
    campaigns = []
    for key in sorted(campaign_ids):
        posts = posts_of.get(key, [])
        campaigns.append(
            Cost(
                name=names.get(key, ""),
                spend=totals.campaigns[key].used,
                engagements=sum(by_post[p][0] for p in posts if p in by_post),
                views=sum(by_post[p][1] for p in posts if p in by_post),
            )
        )
    spend_of: dict[int, Decimal] = defaultdict(Decimal)
    titles: dict[int, str] = {}
    with decimal.localcontext(money_context()):
        for entry in entries:
            amount = totals.converted.get(entry.pk)
            linked = list(entry.posts.all())
            if amount is None or entry.status != SpendStatus.APPROVED or not linked:
                continue
            for post in linked:
                spend_of[post.pk] += amount / len(linked)
                titles[post.pk] = post.title or f"#{post.pk}"
    posts = [
        Cost(
            name=titles[pk],
            spend=spend,
            engagements=by_post[pk][0] if pk in by_post else 0,
            views=by_post[pk][1] if pk in by_post else 0,
        )
        for pk, spend in sorted(spend_of.items())
    ]
    return campaigns, posts
