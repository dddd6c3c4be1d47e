"""Body faults: the operation runs (a publish IS stored), then its answer is garbled on the way back.

The answers a client cannot read, as proxies, gateways and half-deployed platform releases send them:
- html_200       an HTML error page with HTTP 200 (a gateway's "service unavailable" page)
- not_json       a 200 whose body is plain text, not JSON
- wrong_shape    valid JSON of another shape: a list (of the object's keys) where the answer was an
                 object; an object where it was a list
- missing_field  the real answer minus `field` wherever it occurs (with `field` empty: every key of
                 the top object, `{}`; of a list, every key of each object in it)
- truncated      the real body cut in half (the connection dropped mid-answer)
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

BODY_KINDS = ("html_200", "not_json", "wrong_shape", "missing_field", "truncated")

HTML_ERROR_PAGE = (
    b"<!doctype html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>"
)


def garble(response: Response, kind: str, field: str = "") -> Response:
    """`response` (the handler's real answer) with its body replaced as `kind` says."""
    body = bytes(getattr(response, "body", b"") or b"")
    # A 204 cannot carry a body: the garbled answer is a 200 (a gateway's own answer).
    status = 200 if response.status_code == 204 else response.status_code
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    if kind == "html_200":
        return Response(HTML_ERROR_PAGE, status_code=200, headers=headers, media_type="text/html")
    if kind == "not_json":
        return Response(
            b"upstream answered: OK",
            status_code=status,
            headers=headers,
            media_type="text/plain",
        )
    if kind == "truncated":
        cut = body[: len(body) // 2] if len(body) > 1 else b"{"
        return Response(
            cut,
            status_code=status,
            headers=headers,
            media_type=response.media_type or "application/json",
        )
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {}
    if kind == "wrong_shape":
        data = (
            {"unexpected": data} if isinstance(data, list) else sorted(data) if isinstance(data, dict) else {}
        )
    elif kind == "missing_field":
        data = _without(data, field) if field else _emptied(data)
    else:  # pragma: no cover - FaultRule refuses unknown kinds
        raise ValueError(kind)
    return Response(
        json.dumps(data).encode(),
        status_code=status,
        headers=headers,
        media_type="application/json",
    )


def _emptied(data: Any) -> Any:
    """Every key of the answer removed: `{}` for an object; each object of a list emptied."""
    if isinstance(data, list):
        return [{} if isinstance(item, dict) else item for item in data]
    return {}


def _without(data: Any, field: str) -> Any:
    if isinstance(data, dict):
        return {k: _without(v, field) for k, v in data.items() if k != field}
    if isinstance(data, list):
        return [_without(v, field) for v in data]
    return data
