"""The demo's budget (budgets app), so `make run` shows one: this quarter's budget of each brand
workspace, in its reporting currency, with lines by category and platform, a USD rate per month, and
spend so far in CNY and USD (one commitment, one entry above the approval threshold waiting for the
admin). Made through the services, so the totals, alerts and audit entries are the real ones. Once per
workspace (a workspace with a budget is left alone)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User, Workspace
from accounts.roles import Role
from budgets import services
from budgets.models import Budget, Category, SpendKind
from content.models import Campaign

LINES = [
    # key, category, platform, name, planned (in the reporting currency), hard cap
    ("weibo_ads", Category.PAID_PROMOTION, "weibo", "粉丝通", "60000", False),
    ("douyin_dou", Category.PAID_PROMOTION, "douyin", "DOU+", "45000", False),
    ("koc", Category.KOL_FEES, "xiaohongshu", "KOC 种草", "80000", True),
    ("agency", Category.AGENCY_FEES, "", "Red Lantern retainer", "36000", False),
    ("shoot", Category.PRODUCTION, "", "Spring lookbook shoot", "25000", False),
    ("tools", Category.TOOLS, "", "", "6000", False),
]
# key, day of the quarter, vendor, amount, currency, kind
SPEND = [
    ("agency", 0, "Red Lantern Digital", "12000.00", "CNY", SpendKind.ACTUAL),
    ("tools", 2, "Canva Pro", "119.99", "USD", SpendKind.ACTUAL),
    ("weibo_ads", 5, "微博粉丝通", "8800.00", "CNY", SpendKind.ACTUAL),
    ("douyin_dou", 9, "巨量引擎 DOU+", "6500.00", "CNY", SpendKind.ACTUAL),
    ("koc", 12, "@lily_skin (KOC)", "4200.00", "CNY", SpendKind.ACTUAL),
    ("shoot", 15, "Studio Shanghai", "2400.00", "USD", SpendKind.COMMITMENT),
    ("weibo_ads", 20, "微博粉丝通", "9600.00", "CNY", SpendKind.ACTUAL),
    ("koc", 26, "@momo_beauty (KOC)", "680.00", "USD", SpendKind.ACTUAL),
    ("agency", 30, "Red Lantern Digital", "12000.00", "CNY", SpendKind.ACTUAL),
    ("koc", 33, "@yuki_daily (KOL)", "28000.00", "CNY", SpendKind.ACTUAL),  # above the threshold: waits
]
USD_RATES = ["7.1884", "7.2036", "7.1752"]  # 1 USD in CNY, from the first day of each month
# Roughly what 1 of each currency a workspace may report in is worth in CNY: a workspace that reports in
# another currency gets its plan in round amounts of that currency and rates from CNY and USD into it.
CNY_PER = {
    "CNY": "1", "USD": "7.19", "EUR": "7.82", "HKD": "0.92", "GBP": "9.10", "JPY": "0.048",
    "SGD": "5.35", "KRW": "0.0052", "TWD": "0.22", "AUD": "4.70",
}  # fmt: skip


def _in(currency: str, cny: str) -> Decimal:
    """A CNY amount of the plan, in the reporting currency, rounded to a whole amount for the demo."""
    return (Decimal(cny) / Decimal(CNY_PER.get(currency, "1"))).to_integral_value()


def quarter_of(day: date) -> tuple[date, date]:
    start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    after = (start + timedelta(days=95)).replace(day=1)
    return start, after - timedelta(days=1)


def seed_demo_budgets(workspace: Workspace, *, today: date | None = None) -> str:
    if Budget.objects.filter(workspace=workspace).exists():
        return f"{workspace.name}: budgets already present"
    today = today or timezone.localdate(timezone.now(), workspace.tzinfo)
    start, end = quarter_of(today)
    manager = _member(workspace, Role.MANAGER)
    owner = _member(workspace, Role.ADMIN)
    reporting = workspace.currency
    per = Decimal(CNY_PER.get(reporting, "1"))
    for index, rate in enumerate(USD_RATES):
        month = (start + timedelta(days=31 * index)).replace(day=1)
        set_rate = lambda base, quote, value, on=month: services.exchange_rate_set(  # noqa: E731
            workspace=workspace, actor=owner, on=on, base=base, quote=quote, rate=value
        )
        set_rate("USD", "CNY", rate)
        if reporting not in ("CNY", "USD"):
            set_rate("USD", reporting, (Decimal(rate) / per).quantize(Decimal("0.000001")))
        if reporting != "CNY":
            set_rate(reporting, "CNY", per)
    quarter = (start.month - 1) // 3 + 1
    budget = services.budget_create(
        workspace=workspace,
        actor=owner,
        name=f"{start.year} Q{quarter} 品牌营销预算",
        starts_on=start,
        ends_on=end,
        campaign=Campaign.objects.filter(workspace=workspace).order_by("starts_on", "pk").first(),
        approval_threshold=_in(reporting, "20000"),
        note="季度品牌传播：付费推广、达人合作、代理商服务与内容制作。",
    )
    lines = {
        key: services.budget_line_create(
            workspace=workspace,
            actor=owner,
            budget=budget,
            category=category,
            platform=platform,
            name=name,
            planned=_in(reporting, planned),
            cap_mode="hard" if hard else "soft",
        )
        for key, category, platform, name, planned, hard in LINES
    }
    recorded = 0
    for key, day, vendor, amount, currency, kind in SPEND:
        spent_on = start + timedelta(days=day)
        if spent_on > today:
            continue
        services.spend_entry_create(
            workspace=workspace,
            actor=manager,
            budget=budget,
            line=lines[key],
            spent_on=spent_on,
            amount=Decimal(amount),
            currency=currency,
            kind=kind,
            vendor=vendor,
        )
        recorded += 1
    return f"{workspace.name}: budget “{budget.name}” with {len(lines)} lines and {recorded} spend entries"


def _member(workspace: Workspace, role: str) -> User:
    return (
        User.objects.filter(workspace_memberships__workspace=workspace, workspace_memberships__role=role)
        .order_by("pk")
        .first()
    )
