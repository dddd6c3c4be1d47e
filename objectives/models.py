"""Objectives (the O of OCEAN): a measurable goal for a period and a scope, on a KPI the analytics
registry defines, with a target. Progress is never stored: objectives.progress computes it from the
stored readings (analytics selectors) and budgets' spend each time it is read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import WorkspaceScopedModel


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    CUSTOM = "custom", _("Custom period")


class Scope(models.TextChoices):
    WORKSPACE = "workspace", _("Whole workspace")
    PLATFORM = "platform", _("One platform")
    ACCOUNT = "account", _("One account")
    CAMPAIGN = "campaign", _("One campaign")
    TAG = "tag", _("One tag")


class Kpi(models.TextChoices):
    FOLLOWER_GROWTH = "follower_growth", _("Follower growth")
    VIEWS = "views", _("Views")
    ENGAGEMENT_RATE = "engagement_rate", _("Engagement rate")
    POSTS_PER_WEEK = "posts_per_week", _("Posts per week")
    COST_PER_ENGAGEMENT = "cost_per_engagement", _("Cost per engagement")
    SHARE_OF_VOICE = "share_of_voice", _("Share of voice")
    FIRST_RESPONSE_TIME = "first_response_time", _("Inbox first-response time")


class RateBasis(models.TextChoices):
    BY_FOLLOWERS = "by_followers", _("by followers")
    BY_REACH = "by_reach", _("by reach")
    BY_VIEWS = "by_views", _("by views")


class Objective(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    period = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.WORKSPACE)
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    account = models.ForeignKey(
        "channels_app.SocialAccount",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    campaign = models.ForeignKey(
        "content.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    tag = models.ForeignKey(
        "content.Tag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("tag"),
    )
    kpi = models.CharField(_("KPI"), max_length=24, choices=Kpi.choices)
    # The named denominator of an engagement rate; blank for the other KPIs.
    rate_basis = models.CharField(_("rate denominator"), max_length=16, choices=RateBasis.choices, blank=True)
    # Share of voice: the competitor brands (benchmarked by the workspace) it is measured against.
    rivals = models.ManyToManyField(
        "competitors.CompetitorBrand", blank=True, related_name="+", verbose_name=_("rivals")
    )
    # A count, a per-week number, minutes (first-response time), a rate as a ratio (0.05 = 5 %) or money
    # in the workspace's currency.
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="objective_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PeriodReview(WorkspaceScopedModel):
    """OCEAN's Normalization step: the team's review of one period (what worked, what becomes standard)."""

    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.TextField(_("review note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "starts_on", "ends_on"], name="uniq_review_per_period"
            ),
        ]
