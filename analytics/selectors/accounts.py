"""Account-level figures from the daily rollups, in common metrics, with deltas computed in SQL.

A common metric's daily series for an account takes, for each day, the best feeder the account's
platform has a value for (registry order; `to_common` applied): a Facebook Page's followers come from
`page_follows` where present and from `page_fans` on the days before the rename, never both.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from channels_app.models import SocialAccount

from ..metrics import Aggregation, Level, common_metric, feeders

# How far back a delta looks for the reading before the period's first day (a missing day is a gap).
DELTA_LOOKBACK_DAYS = 31


@dataclass(frozen=True)
class DailyValue:
    account_id: int
    date: date
    value: float
    # value minus the account's previous stored day (None on its first day).
    delta: float | None


def _accounts(workspace, account_ids) -> dict[int, str]:
    accounts = SocialAccount.objects.filter(workspace=workspace)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    return dict(accounts.values_list("pk", "platform"))


def _feeder_map(common: str, platforms) -> tuple[str, list]:
    """A VALUES list of (platform, metric, priority, scale, is_sum) for the feeders of `common`."""
    rows, params = [], []
    for platform in sorted(set(platforms)):
        for priority, metric in enumerate(feeders(platform, common, level=Level.ACCOUNT)):
            rows.append("(%s, %s, %s, CAST(%s AS DOUBLE PRECISION), %s)")
            is_sum = metric.aggregation == Aggregation.SUM
            params += [platform, metric.key, priority, metric.to_common, is_sum]
    return ", ".join(rows), params


def _resolved_sql(common: str, workspace, accounts: dict[int, str], since: date, until: date):
    """SQL for (account_id, date, value, is_sum) rows of `common`, one per account and day."""
    values, params = _feeder_map(common, accounts.values())
    if not values or not accounts:
        return None, []
    placeholders = ", ".join(["%s"] * len(accounts))
    # Only placeholders and the registry's fixed shapes are formatted in; every value is a parameter.
    sql = f"""
        WITH feeder (platform, metric, priority, scale, is_sum) AS (VALUES {values}),
        ranked AS (
            SELECT r.account_id, r.date, r.value * f.scale AS value, f.is_sum,
                   ROW_NUMBER() OVER (PARTITION BY r.account_id, r.date ORDER BY f.priority) AS pick
              FROM analytics_accountdailymetric r
              JOIN channels_app_socialaccount a ON a.id = r.account_id
              JOIN feeder f ON f.platform = a.platform AND f.metric = r.metric
             WHERE r.workspace_id = %s AND r.account_id IN ({placeholders}) AND r.date >= %s AND r.date <= %s
        )
        SELECT account_id, date, value, is_sum FROM ranked WHERE pick = 1"""  # noqa: S608
    return sql, [*params, workspace.pk, *accounts.keys(), since, until]


def account_daily(workspace, *, metric: str, start: date, end: date, account_ids=None) -> list[DailyValue]:
    """Each account's daily value of common `metric` from `start` to `end`, with the change from the
    account's previous stored day, computed in SQL (LAG over the rollups)."""
    common_metric(metric)
    accounts = _accounts(workspace, account_ids)
    sql, params = _resolved_sql(metric, workspace, accounts, start - timedelta(DELTA_LOOKBACK_DAYS), end)
    if sql is None:
        return []
    query = f"""
        SELECT account_id, date, value, delta FROM (
            SELECT account_id, date, value,
                   value - LAG(value) OVER (PARTITION BY account_id ORDER BY date) AS delta
              FROM ({sql}) AS resolved
        ) AS series
         WHERE date >= %s
         ORDER BY account_id, date"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, start])
        return [
            DailyValue(account_id, _as_date(day), value, delta)
            for account_id, day, value, delta in cursor.fetchall()
        ]


def account_period_values(
    workspace, *, metric: str, start: date, end: date, account_ids=None
) -> dict[int, float | None]:
    """Each account's value of common `metric` for the period [start, end]: the sum of its days for a
    per-day metric (views of a day), the last value on or before `end` for a running total or a level
    (followers). Follower growth on a platform with no such metric is the change in followers."""
    common_metric(metric)
    accounts = _accounts(workspace, account_ids)
    result: dict[int, float | None] = dict.fromkeys(accounts)
    sql, params = _resolved_sql(metric, workspace, accounts, date.min, end)
    rows = _fetch(sql, params) if sql else []
    sums: dict[int, float] = defaultdict(float)
    last: dict[int, tuple[date, float]] = {}
    for account_id, day, value, is_sum in rows:
        day = _as_date(day)
        if is_sum:
            if day >= start:
                sums[account_id] += value
                result[account_id] = sums[account_id]
        elif account_id not in last or day > last[account_id][0]:
            last[account_id] = (day, value)
    for account_id, (_, value) in last.items():
        result[account_id] = value
    if metric == "follower_growth":
        missing = [a for a, value in result.items() if value is None]
        if missing:
            ending = account_values_on(workspace, metric="followers", day=end, account_ids=missing)
            before = account_values_on(
                workspace, metric="followers", day=start - timedelta(days=1), account_ids=missing
            )
            for account_id in missing:
                if ending.get(account_id) is not None and before.get(account_id) is not None:
                    result[account_id] = ending[account_id] - before[account_id]
    return result


def account_values_on(workspace, *, metric: str, day: date, account_ids=None) -> dict[int, float | None]:
    """Each account's last value of common `metric` on or before `day` (followers on a date)."""
    accounts = _accounts(workspace, account_ids)
    sql, params = _resolved_sql(metric, workspace, accounts, date.min, day)
    result: dict[int, float | None] = dict.fromkeys(accounts)
    latest: dict[int, date] = {}
    for account_id, row_day, value, _ in _fetch(sql, params) if sql else []:
        row_day = _as_date(row_day)
        if account_id not in latest or row_day > latest[account_id]:
            latest[account_id] = row_day
            result[account_id] = value
    return result


def account_series(
    workspace, *, metric: str, until: date, account_ids
) -> dict[int, list[tuple[date, float]]]:
    """Each account's (date, value) readings of common `metric` up to `until`, oldest first."""
    accounts = _accounts(workspace, account_ids)
    sql, params = _resolved_sql(metric, workspace, accounts, date.min, until)
    series: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for account_id, day, value, _ in sorted(_fetch(sql, params) if sql else [], key=lambda r: (r[0], r[1])):
        series[account_id].append((_as_date(day), value))
    return series


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value) -> date:
    # SQLite returns dates from raw SQL as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value))
