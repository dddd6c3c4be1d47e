"""Meta Graph API plumbing shared by the Facebook Page and Instagram connectors.

Graph errors look like `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, mostly
with HTTP 400. The code, not the HTTP status, says what happened:
- 190 (and 102, 463/467 subcodes): the token expired or was invalidated -> AuthExpired
- 4, 17, 32, 613, 80001..80014: app / user / page / custom rate limits -> RateLimited; #4 (and code
  341, "application limit reached") is OUR APP's limit, shared by every Page and Instagram account, so
  it is RateLimited(scope="app"); the others are the account's
- 9 with subcode 2207042: Instagram's content publishing limit (50 posts per rolling 24 h) -> RateLimited
- 1, 2: unknown / temporary service error -> Transient
- anything else (100 invalid parameter, 200 permissions, 368 blocked, 506 duplicate): Rejected
Rate-limit errors carry no Retry-After; usage headers (`X-Business-Use-Case-Usage`, `X-App-Usage`) hold
`estimated_time_to_regain_access` in minutes.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import httpx

from ..base import MetricsResult, MetricUnavailable, MetricValue
from ..errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from ..http import json_or_empty

AUTH_CODES = {190, 102}
REVOKED_SUBCODES = {458, 459, 460, 464, 467}
RATE_CODES = {4, 17, 32, 341, 613} | set(range(80001, 80015))
APP_RATE_CODES = {4, 341}
TRANSIENT_CODES = {1, 2}
PUBLISHING_LIMIT = (9, 2207042)
DEFAULT_RATE_LIMIT_WAIT = 300.0
PUBLISHING_LIMIT_WAIT = 3600.0  # a rolling 24 h window: we cannot know when the oldest post ages out
DEFAULT_GRAPH_VERSION = "v25.0"


def _regain_seconds(response: httpx.Response) -> float | None:
    for header in ("x-business-use-case-usage", "x-app-usage", "x-page-usage"):
        raw = response.headers.get(header)
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries = [usage] if isinstance(usage, dict) and "estimated_time_to_regain_access" in usage else []
        if isinstance(usage, dict):
            for value in usage.values():
                if isinstance(value, list):
                    entries.extend(v for v in value if isinstance(v, dict))
        minutes = [e.get("estimated_time_to_regain_access") or 0 for e in entries]
        if minutes and max(minutes) > 0:
            return float(max(minutes)) * 60.0
    return None


def retry_after(response: httpx.Response, default: float = DEFAULT_RATE_LIMIT_WAIT) -> float:
    """The longest of Retry-After (rare on Graph) and the usage headers' time to regain access."""
    hints = [_regain_seconds(response)]
    after = (response.headers.get("retry-after") or "").strip()
    if after:
        with contextlib.suppress(ValueError):
            hints.append(max(0.0, float(after)))
    present = [hint for hint in hints if hint is not None]
    return max(present) if present else default


def graph_error(platform: str, response: httpx.Response, *, operation: str) -> ConnectorError | None:
    """The Graph error in `response` as a connector error (None when there is none)."""
    body = json_or_empty(response)
    error = body.get("error")
    if response.status_code < 400 and not isinstance(error, dict):
        return None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase or "")[:500]
    status = response.status_code
    kwargs = {"platform_code": code, "platform_message": message, "status_code": status}
    where = f"{platform} {operation}: {code or status}: {message}"[:500]
    if (code, subcode) == PUBLISHING_LIMIT:
        return RateLimited(where, retry_after=retry_after(response, PUBLISHING_LIMIT_WAIT), **kwargs)
    if code in AUTH_CODES or status == 401:
        return AuthExpired(where, revoked=subcode in REVOKED_SUBCODES, **kwargs)
    if code in RATE_CODES or status == 429:
        scope = RateLimited.APP if code in APP_RATE_CODES else RateLimited.ACCOUNT
        return RateLimited(where, retry_after=retry_after(response), scope=scope, **kwargs)
    if code in TRANSIENT_CODES or status >= 500:
        return Transient(where, **kwargs)
    return Rejected(where, **kwargs)


class GraphMixin:
    """Graph calls for a Connector: the token travels as the `access_token` parameter (as Meta's
    examples do); paths are joined to `{base_url}/{version}` unless `versioned=False`."""

    def graph_version(self) -> str:
        return self.app.get("graph_version") or DEFAULT_GRAPH_VERSION

    def error_for(self, response: httpx.Response, *, operation: str) -> ConnectorError | None:
        return graph_error(self.platform, response, operation=operation)

    def graph(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        token: str = "",
        unsafe: bool = False,
        versioned: bool = True,
        base: str = "",
        **kwargs,
    ) -> dict:
        params = dict(kwargs.pop("params", None) or {})
        if token:
            params["access_token"] = token
        root = base or self.base_url
        url = f"{root}/{self.graph_version()}{path}" if versioned else f"{root}{path}"
        response = self.request(method, url, operation=operation, unsafe=unsafe, params=params, **kwargs)
        return json_or_empty(response)


# --- Insights (Page Insights and Instagram Insights share the edge and its answers) ---

INVALID_METRIC_CODE = 100
# Meta serves a day's figures when they are ready: up to 48 hours later for Instagram (documented), and
# Page Insights update daily. A day that recent may still change, and a missing one may still come.
LATE_WINDOW = timedelta(hours=48)
# Legacy metric names Meta refused, remembered for the process: asked once, then recorded without asking.
_REFUSED_LEGACY: dict[tuple[str, str, str], str] = {}


@dataclass(frozen=True)
class InsightsGroup:
    """One /insights call: metrics that are asked together and fail together."""

    metrics: tuple[str, ...]
    params: dict[str, str] = field(default_factory=dict)  # period, metric_type ...


def _end_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return None


def _is_invalid_metric(exc: Rejected) -> bool:
    return exc.platform_code == INVALID_METRIC_CODE


class InsightsMixin:
    """`/{object-id}/insights` per metric group for a GraphMixin connector. A group Meta refuses (#100:
    one of its metrics is not served) is asked again metric by metric, so one removed metric never
    takes its neighbours with it."""

    def insights(
        self,
        object_id: str,
        group: InsightsGroup,
        *,
        token: str,
        entity: str,
        operation: str,
        result: MetricsResult,
        since: date | None = None,
        until: date | None = None,
    ) -> None:
        try:
            body = self._ask_insights(object_id, group.metrics, group.params, token, operation, since, until)
        except Rejected as exc:
            if not _is_invalid_metric(exc):
                raise
            if len(group.metrics) == 1:
                result.unavailable.append(
                    MetricUnavailable(group.metrics[0], entity, object_id, "removed", exc.platform_message)
                )
                return
            for metric in group.metrics:
                single = InsightsGroup((metric,), group.params)
                self.insights(
                    object_id,
                    single,
                    token=token,
                    entity=entity,
                    operation=operation,
                    result=result,
                    since=since,
                    until=until,
                )
            return
        self._read_insights(body, group, object_id, entity, result, since, until)

    def _ask_insights(self, object_id, metrics, params, token, operation, since, until) -> dict:
        params = {**params, "metric": ",".join(metrics)}
        if since is not None and until is not None:
            # `until` is exclusive on Graph: the day after the last day we want
            params |= {"since": since.isoformat(), "until": (until + timedelta(days=1)).isoformat()}
        return self.graph("GET", f"/{object_id}/insights", operation=operation, token=token, params=params)

    def _read_insights(self, body, group, object_id, entity, result, since, until) -> None:
        now = datetime.now(UTC)
        by_name = {item.get("name"): item for item in body.get("data") or [] if isinstance(item, dict)}
        for metric in group.metrics:
            item = by_name.get(metric)
            if item is None:
                result.unavailable.append(
                    MetricUnavailable(metric, entity, object_id, "removed", "not answered")
                )
                continue
            if "total_value" in item:  # one figure for the whole range
                end = datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None
                value = (item.get("total_value") or {}).get("value", 0)
                late = end is not None and end > now - LATE_WINDOW
                result.values.append(MetricValue(metric, value, entity, object_id, period_end=end, late=late))
                continue
            seen = set()
            for point in item.get("values") or []:
                end = _end_time(point.get("end_time"))
                if end is not None:
                    seen.add(end.date() - timedelta(days=1))
                late = end is not None and end > now - LATE_WINDOW
                result.values.append(
                    MetricValue(metric, point.get("value", 0), entity, object_id, period_end=end, late=late)
                )
            if since is not None and until is not None and item.get("period") == "day":
                day = since
                while day <= until:
                    end = datetime.combine(day + timedelta(days=1), time.min, UTC)
                    if day not in seen and end <= now + timedelta(days=1):
                        reason = "late" if end > now - LATE_WINDOW else "not_offered"
                        result.unavailable.append(
                            MetricUnavailable(metric, entity, object_id, reason, f"no figure for {day}")
                        )
                    day += timedelta(days=1)

    def legacy_renames(
        self,
        object_id: str,
        renamed: dict[str, str],
        *,
        token: str,
        entity: str,
        operation: str,
        params: dict[str, str],
        result: MetricsResult,
    ) -> None:
        """Metrics Meta renamed (2025: impressions -> views, page_fans -> page_follows ...): the old name
        is asked once per process; when Meta refuses it (#100) it is recorded as renamed, pointing at the
        new name (which the groups ask), on every pull after that without asking again."""
        for old, new in renamed.items():
            memo = (self.platform, entity, old)
            if memo not in _REFUSED_LEGACY:
                try:
                    self._ask_insights(object_id, (old,), params, token, operation, None, None)
                except Rejected as exc:
                    if not _is_invalid_metric(exc):
                        raise
                    _REFUSED_LEGACY[memo] = exc.platform_message
                else:
                    continue  # still served here (an older platform): nothing renamed yet
            result.unavailable.append(
                MetricUnavailable(old, entity, object_id, "renamed", _REFUSED_LEGACY[memo], replaced_by=new)
            )
