"""The one way connectors talk HTTP: httpx with timeouts, and failures mapped to connectors.errors.

- connection refused / connect timeout / pool timeout: the request never left -> Transient
- read/write timeout or a dropped connection AFTER the request was sent:
  on a call that creates something (`unsafe=True`, a publish) -> Unknown (settle by reading the platform);
  otherwise -> Transient
- 429 -> RateLimited(retry_after: the longest of Retry-After and x-rate-limit-reset, else the connector's
  default)
- 401 -> AuthExpired;  5xx -> Transient;  other 4xx -> Rejected
Platforms that put errors in the body (WeChat's errcode with HTTP 200, Weibo's error_code) map those first
in `Connector.error_for(response)`; the status mapping above is the fallback.
Error messages never contain URLs (query strings can carry access tokens) or tokens.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from .errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient, Unknown


def parse_retry_after(headers: httpx.Headers, default: float) -> float:
    """Seconds to wait: the LONGEST of Retry-After (seconds or an HTTP date) and X's x-rate-limit-reset
    (epoch seconds); the default when neither is there. Waiting for the longer one is never wrong;
    trusting the shorter one can earn another 429."""
    hints = [hint for hint in (_retry_after_header(headers), epoch_reset(headers)) if hint is not None]
    return max(hints) if hints else default


def _retry_after_header(headers: httpx.Headers) -> float | None:
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def epoch_reset(headers: httpx.Headers, name: str = "x-rate-limit-reset") -> float | None:
    """Seconds until the epoch second in header `name` (None when it is missing or not a number)."""
    value = headers.get(name)
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


class UnreadableAnswer(ValueError):
    """An answer a connector cannot read: a 2xx whose body is not JSON (raised by `Connector.request`),
    or JSON without what the call needs (`need`). Mapped by call kind (connectors.base) like any other
    error met while reading an answer."""


def need(data: Any, *path: str, kind: type | tuple[type, ...] = list) -> Any:
    """`data[path[0]][path[1]]...`, which must be a `kind` (a null list reads as empty). An answer
    without it, or with something else there, is unreadable: `{}` is not "no posts"."""
    value = data
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise UnreadableAnswer(f"the answer has no {'.'.join(path)}")
        value = value[key]
    if value is None and kind is list:
        return []
    if not isinstance(value, kind):
        raise UnreadableAnswer(f"the answer's {'.'.join(path)} is not what the platform sends")
    return value


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"data": data}


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    platform: str,
    operation: str,
    unsafe: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request; transport failures become Transient or Unknown."""
    where = f"{platform} {operation}"
    try:
        return client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise Transient(f"{where}: could not connect ({type(exc).__name__})") from None
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        if unsafe:
            raise Unknown(f"{where}: no answer after the request was sent ({type(exc).__name__})") from None
        raise Transient(f"{where}: no answer ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise Transient(f"{where}: transport error ({type(exc).__name__})") from None


def status_error(
    response: httpx.Response, *, platform: str, operation: str, default_retry_after: float = 60.0
) -> ConnectorError | None:
    """The generic mapping of an HTTP status to an error (None for 2xx/3xx)."""
    status = response.status_code
    if status < 400:
        return None
    body = json_or_empty(response)
    message = _message(body) or response.reason_phrase
    where = f"{platform} {operation}: HTTP {status}: {message}"[:500]
    code = _code(body)
    if status == 429:
        retry_after = parse_retry_after(response.headers, default_retry_after)
        return RateLimited(
            where, retry_after=retry_after, platform_code=code, platform_message=message, status_code=status
        )
    if status == 401:
        return AuthExpired(where, platform_code=code, platform_message=message, status_code=status)
    if status >= 500:
        return Transient(where, platform_code=code, platform_message=message, status_code=status)
    return Rejected(where, platform_code=code, platform_message=message, status_code=status)


def _message(body: dict[str, Any]) -> str:
    for key in ("error_description", "errmsg", "message", "error_msg", "description", "detail", "error"):
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict):
            inner = value.get("message")
            if isinstance(inner, str):
                return inner
    return ""


def _code(body: dict[str, Any]) -> str | int | None:
    for key in ("error_code", "errcode", "code", "error"):
        value = body.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return value
    return None
