"""The Graph API's `/{object-id}/insights` edge as Facebook Pages and Instagram answer it.

- `metric` is a comma list; ONE metric the platform does not serve (unknown, deprecated such as Meta's
  2025 removals, or in the account's `metrics_removed`) fails the whole request with
  `(#100) The value must be a valid insights metric`, which is why connectors ask per metric group.
- `period=day` answers one value per day from `since` (inclusive) to `until` (exclusive), each with
  `end_time` at the end of its day (UTC here; Meta uses the Page's Pacific day); at most 90 days.
  Days within the account's `metrics_late_days` are not there yet: Meta does not flag late figures, it
  serves them when they are ready (Instagram documents up to 48 hours).
- `metric_type=total_value` (Instagram's interaction metrics) answers one `total_value` for the range.
- `period=lifetime` (posts, media) answers one value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from starlette.responses import JSONResponse, Response

from .. import metrics
from ..kit import Ctx
from ..state import Account
from . import figures

INVALID_METRIC = "(#100) The value must be a valid insights metric"
MAX_DAYS = 90


def invalid(message: str = INVALID_METRIC) -> Response:
    return JSONResponse(
        {"error": {"message": message, "type": "OAuthException", "code": 100, "fbtrace_id": "sim"}},
        status_code=400,
    )


def asked_metrics(ctx: Ctx, served: set[str]) -> list[str] | Response:
    names = [m.strip() for m in ctx.request.query_params.get("metric", "").split(",") if m.strip()]
    if not names:
        return invalid("(#100) The parameter metric is required")
    if any(name not in served or figures.removed(ctx.account, name) for name in names):
        return invalid()
    return names


def _day(value: str) -> date | None:
    if not value:
        return None
    try:
        if value.isdigit():
            return datetime.fromtimestamp(int(value), UTC).date()
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _end_time(day: figures.Day) -> str:
    return day.end.strftime("%Y-%m-%dT%H:%M:%S+0000")


def daily(
    ctx: Ctx,
    account: Account,
    names: list[str],
    read: Callable[[str, figures.Day], int],
    *,
    object_id: str,
    total_value: bool = False,
) -> Response:
    """`period=day` insights for since..until (exclusive); `read(metric, day)` gives one day's figure."""
    q = ctx.request.query_params
    until = _day(q.get("until", "")) or figures.today(account)
    since = _day(q.get("since", "")) or until - timedelta(days=2)
    if until <= since or (until - since).days > MAX_DAYS:
        return invalid("(#100) There cannot be more than 90 days (7776000 s) between since and until")
    ready_until = figures.today(account) - timedelta(days=metrics.late_days(account.options))
    days = [
        d for d in figures.account_days(account, since, until - timedelta(days=1)) if d.day <= ready_until
    ]
    data = []
    for name in names:
        entry = {"name": name, "period": "day", "id": f"{object_id}/insights/{name}/day"}
        if total_value:
            entry["total_value"] = {"value": sum(read(name, d) for d in days)}
        else:
            entry["values"] = [{"value": read(name, d), "end_time": _end_time(d)} for d in days]
        data.append(entry)
    return JSONResponse({"data": data, "paging": {}})


def lifetime(object_id: str, names: list[str], values: dict[str, int]) -> Response:
    return JSONResponse(
        {
            "data": [
                {
                    "name": name,
                    "period": "lifetime",
                    "values": [{"value": values[name]}],
                    "id": f"{object_id}/insights/{name}/lifetime",
                }
                for name in names
            ]
        }
    )
