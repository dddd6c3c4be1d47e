"""When to try again, and what a connector error means for a publish.

Two pieces, both pure (no database, no Redis):

- `RetryPolicy`: bounded attempts with exponential backoff and FULL jitter (a uniformly random delay
  between 0 and min(cap, base * 2 ** (attempt - 1))), so that many targets failing together do not come
  back together. `scheduled_delay` is the same idea for a fixed schedule (webhooks: 1 min, 5 min, ...).
- `classify(error, ...)`: maps a connector error (channels_app.connectors.errors) to ONE action:

  | error                         | action                  |
  |-------------------------------|-------------------------|
  | RateLimited(retry_after)      | wait_for(retry_after)   |
  | AuthExpired, first time       | refresh_once            |
  | AuthExpired after a refresh,  | fail_permanently        |
  |   or revoked                  |   (reconnect the account)|
  | Rejected                      | fail_permanently        |
  | Transient, attempts left      | backoff(delay)          |
  | Transient, no attempts left   | fail_permanently        |
  | Unknown, or anything else     | settle_by_reading       |

  An Unknown outcome (the request may have been accepted) is NEVER retried blindly: the caller reads
  the platform (recent posts, container or publish_id status) to learn whether the post exists. An
  exception that is not a ConnectorError is treated the same way, since we cannot tell whether it
  happened before or after the platform accepted the request. A rate limit does not use up attempts;
  the caller's own deadline (the workspace's grace window) bounds how long it waits.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass

from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts every try including the first; delays are in seconds."""

    max_attempts: int = 5
    base: float = 10.0
    cap: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base <= 0 or self.cap < self.base:
            raise ValueError("need max_attempts >= 1 and 0 < base <= cap")

    def ceiling(self, attempt: int) -> float:
        """The largest delay after failed attempt `attempt` (1-based): min(cap, base * 2^(attempt-1))."""
        exponent = min(max(attempt, 1) - 1, 62)  # no overflow for absurd attempt numbers
        return min(self.cap, self.base * (2**exponent))

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, ceiling(attempt)]."""
        return (rng or random).uniform(0.0, self.ceiling(attempt))

    def exhausted(self, attempt: int) -> bool:
        """True when `attempt` failed tries leave no try to make."""
        return attempt >= self.max_attempts


def scheduled_delay(
    attempt: int, schedule: Sequence[float], *, jitter: float = 0.2, rng: random.Random | None = None
) -> float | None:
    """The delay after failed attempt `attempt` from a fixed schedule, stretched by up to `jitter`
    (0.2 = up to 20 % later, never earlier); None when the schedule is used up."""
    if attempt < 1 or attempt > len(schedule):
        return None
    base = float(schedule[attempt - 1])
    return base + (rng or random).uniform(0.0, base * jitter)


class Action(enum.StrEnum):
    WAIT_FOR = "wait_for"
    REFRESH_ONCE = "refresh_once"
    FAIL_PERMANENTLY = "fail_permanently"
    BACKOFF = "backoff"
    SETTLE_BY_READING = "settle_by_reading"


@dataclass(frozen=True)
class Decision:
    action: Action
    # Seconds to wait before the next step (wait_for, backoff); None for the others.
    delay: float | None = None
    # A stable code for logs, attempt rows and notifications.
    reason: str = ""


def classify(
    error: BaseException,
    *,
    attempt: int,
    policy: RetryPolicy,
    refreshed: bool = False,
    rng: random.Random | None = None,
) -> Decision:
    """What to do after `error` ended try number `attempt` (1-based).

    `refreshed`: a token refresh was already made for this publish (only one is allowed).
    """
    if isinstance(error, RateLimited):
        return Decision(Action.WAIT_FOR, delay=max(0.0, float(error.retry_after)), reason="rate_limited")
    if isinstance(error, AuthExpired):
        if error.revoked:
            return Decision(Action.FAIL_PERMANENTLY, reason="reconnect_account")
        if refreshed:
            return Decision(Action.FAIL_PERMANENTLY, reason="reconnect_account")
        return Decision(Action.REFRESH_ONCE, reason="auth_expired")
    if isinstance(error, Rejected):
        return Decision(Action.FAIL_PERMANENTLY, reason="rejected")
    if isinstance(error, Transient):
        if policy.exhausted(attempt):
            return Decision(Action.FAIL_PERMANENTLY, reason="retries_exhausted")
        return Decision(Action.BACKOFF, delay=policy.delay(attempt, rng), reason="transient")
    if isinstance(error, Unknown):
        return Decision(Action.SETTLE_BY_READING, reason="unknown_outcome")
    # Not a connector error: a bug or a crash between sending and recording. The platform may have the
    # post, so the only safe step is to read it.
    return Decision(Action.SETTLE_BY_READING, reason="unexpected_error")
