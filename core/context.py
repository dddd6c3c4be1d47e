"""Per-request context that the audit log reads (client IP, user agent).

Only metadata lives here; who acts is always passed explicitly as `actor=` to services.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext] = ContextVar("kawo_request_context", default=RequestContext())  # noqa: B039 (frozen)


def current_request_context() -> RequestContext:
    return _current.get()


def set_request_context(context: RequestContext):
    return _current.set(context)


def reset_request_context(token) -> None:
    _current.reset(token)
