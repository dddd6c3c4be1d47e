"""Budgets, their lines, spend entries (actuals and commitments), exchange rates and threshold alerts.

Every amount is a `DecimalField` (4 decimals, the most any ISO 4217 currency has) next to its currency
code; nothing here is ever a float. A budget's plan is in the budget's currency (the workspace's
reporting currency when it was made); spend may be in any currency and is converted at the rate of its
own date when totals are read (budgets.selectors), so a rate entered later corrects every total at once.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import WorkspaceScopedModel

MONEY = {"max_digits": 18, "decimal_places": 4}


class Category(models.TextChoices):
    PAID_PROMOTION = "paid_promotion", _("Paid promotion")
    KOL_FEES = "kol_fees", _("KOL/KOC fees")
    AGENCY_FEES = "agency_fees", _("Agency fees")
    PRODUCTION = "production", _("Production")
    TOOLS = "tools", _("Tools")
    OTHER = "other", _("Other")


class CapMode(models.TextChoices):
    SOFT = "soft", _("Warn when exceeded")
    HARD = "hard", _("Hard cap: refuse spend beyond the plan")


class Budget(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    campaign = models.ForeignKey(
        "content.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("campaign"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    # Spend above this (in the budget's currency, at the entry's date) waits for a budget.approve holder.
    approval_threshold = models.DecimalField(_("approval threshold"), null=True, blank=True, **MONEY)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="budget_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold__isnull=True) | Q(approval_threshold__gte=0),
                name="budget_threshold_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(WorkspaceScopedModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # A channels_app.models.Platform value, or blank for spend on no one platform.
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    planned = models.DecimalField(_("planned amount"), **MONEY)
    cap_mode = models.CharField(
        _("when exceeded"), max_length=10, choices=CapMode.choices, default=CapMode.SOFT
    )
    # The agency organization that manages this line (it holds an active AgencyGrant on the workspace
    # when assigned). Its people see only the lines assigned to their agency, and may enter spend on them
    # (budgets.selectors.agency_of); the client's own people see every line with the agency named.
    agency = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("managed by agency"),
    )

    class Meta:
        ordering = ["budget_id", "category", "platform", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0), name="budget_line_planned_not_negative")
        ]

    def __str__(self) -> str:
        return self.name or str(Category(self.category).label)


def receipt_upload_path(instance: SpendEntry, filename: str) -> str:
    # Beside the workspace's media; the stored name is random (the original name is a column).
    return (
        f"workspaces/{instance.workspace_id}/receipts/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"
    )


class SpendKind(models.TextChoices):
    ACTUAL = "actual", _("Paid")
    COMMITMENT = "commitment", _("Committed (signed, unpaid)")


class SpendStatus(models.TextChoices):
    APPROVED = "approved", _("Counted")
    PENDING = "pending", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")


class SpendEntry(WorkspaceScopedModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="entries")
    # RESTRICT, not PROTECT: a line cannot go while it has spend (the service says why), yet deleting the
    # budget or the workspace takes lines and spend together.
    line = models.ForeignKey(BudgetLine, on_delete=models.RESTRICT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=12, choices=SpendKind.choices, default=SpendKind.ACTUAL)
    status = models.CharField(max_length=10, choices=SpendStatus.choices, default=SpendStatus.APPROVED)
    spent_on = models.DateField(_("date"))
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posts = models.ManyToManyField("content.Post", blank=True, related_name="+")
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_path, max_length=300, blank=True)
    receipt_name = models.CharField(max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["budget", "status"], name="spend_budget_status")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_amount_positive")]

    def __str__(self) -> str:
        return f"{self.vendor or self.line} {self.amount} {self.currency}"


class ExchangeRate(WorkspaceScopedModel):
    """On `on` (and until a later rate), 1 `base` is worth `rate` `quote`."""

    on = models.DateField(_("date"))
    base = models.CharField(_("currency"), max_length=3)
    quote = models.CharField(_("in"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=10)
    source = models.CharField(_("source"), max_length=20, default="entered")

    class Meta:
        ordering = ["-on", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "on", "base", "quote"], name="uniq_exchange_rate_day"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(base=models.F("quote")), name="exchange_rate_two_currencies"),
        ]

    def __str__(self) -> str:
        return f"{self.on} 1 {self.base} = {self.rate} {self.quote}"


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("Share of the plan reached")
    RUN_RATE = "run_rate", _("Projected overrun at the current pace")


class BudgetAlert(WorkspaceScopedModel):
    """A threshold (80, 90, 100 % of the plan) that a budget or one of its lines reached, or a projected
    overrun at the current pace (run rate): one row each, ever, which is what makes an alert fire once
    (the unique constraints, not a check before the write). A budget is one period, so "once per period"
    is once per budget or line."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    line = models.ForeignKey(
        BudgetLine, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=10, choices=AlertKind.choices, default=AlertKind.THRESHOLD)
    # a threshold alert's percentage; a run-rate alert's projected share of the plan, in whole percent
    threshold = models.PositiveSmallIntegerField()
    spent = models.DecimalField(**MONEY)
    planned = models.DecimalField(**MONEY)
    # run rate: spend so far / days elapsed × days in the period, in the budget's currency
    projected = models.DecimalField(null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "threshold"],
                condition=Q(line__isnull=True, kind="threshold"),
                name="uniq_budget_alert",
            ),
            models.UniqueConstraint(
                fields=["line", "threshold"],
                condition=Q(line__isnull=False, kind="threshold"),
                name="uniq_budget_line_alert",
            ),
            models.UniqueConstraint(
                fields=["budget"],
                condition=Q(line__isnull=True, kind="run_rate"),
                name="uniq_budget_run_rate",
            ),
            models.UniqueConstraint(
                fields=["line"], condition=Q(line__isnull=False, kind="run_rate"), name="uniq_line_run_rate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.line or ''} {self.kind} {self.threshold}%"
