"""The rate-limit gate every publish worker shares, in Redis.

Scopes are strings: `acct:<social account id>` (one account's limits) and `app:<platform>` (our app's
limits on that platform). Before calling a platform a worker asks `wait_until([acct, app])`; after a
429 it calls `block(scope, retry_after)`; all workers on all hosts then hold off until that moment.

Promises:
- Retry-After is honoured exactly, on Redis's clock (TIME inside the scripts), so workers whose clocks
  disagree still agree on when a block ends.
- A block is monotonic: a later, smaller Retry-After never shortens it; a bigger one lengthens it. Each
  operation is one Lua script, so concurrent callers cannot interleave a read and a write.
- Quotas (`take`): a token bucket for per-minute rules (TikTok: 6 requests a minute per token) and a
  rolling-window log for "N per rolling 24 h" rules (Instagram: 50 API-published posts per account).
  A token bucket would let up to 2N through in one window, which Instagram would refuse.
- Keys expire by themselves once they no longer matter; nothing needs cleaning up.

What the gate does NOT promise: durability. If Redis loses its data (restart without persistence),
blocks are forgotten, so a caller that received a 429 must also keep its own "not before" time with the
row it retries (the publish pipeline stores it on the target). Redis errors propagate (redis.RedisError):
callers treat them as "try again shortly", never as "go ahead".
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_PREFIX = "kawo:rl:"

# Redis time in milliseconds, computed inside each script.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS[1] = block key; ARGV[1] = retry_after in ms. Returns ms until the (possibly longer) block ends.
_BLOCK = (
    _NOW
    + """
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= until_ms then
  return current - now
end
redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now + 1000)
return until_ms - now
"""
)

# KEYS = block keys. Returns ms until the last of them ends (0 when none is active).
_WAIT = (
    _NOW
    + """
local longest = 0
for _, key in ipairs(KEYS) do
  local v = tonumber(redis.call('GET', key) or '0')
  if v - now > longest then longest = v - now end
end
return longest
"""
)

# KEYS[1] = bucket hash; ARGV = capacity, refill tokens per ms, cost. Returns 0 when the tokens were
# taken, else ms until enough tokens will be there (nothing is taken then).
_BUCKET = (
    _NOW
    + """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return wait
"""
)

# KEYS[1] = sorted set of grant times; ARGV = limit, window ms, member. Returns 0 when granted, else ms
# until the oldest grant leaves the window.
_WINDOW = (
    _NOW
    + """
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""
)


def account_scope(account_id: int | str) -> str:
    return f"acct:{account_id}"


def app_scope(platform: str) -> str:
    return f"app:{platform}"


@dataclass(frozen=True)
class Quota:
    """`limit` calls per `per_seconds`. kind "bucket": refills continuously (bursts up to `limit`);
    kind "window": at most `limit` in ANY rolling `per_seconds` (exact, one log entry per call)."""

    limit: int
    per_seconds: float
    kind: str = "bucket"

    def __post_init__(self) -> None:
        if self.limit < 1 or self.per_seconds <= 0 or self.kind not in ("bucket", "window"):
            raise ValueError("a quota needs limit >= 1, per_seconds > 0 and kind 'bucket' or 'window'")


# Platform quotas from /work/shared/PLATFORMS.md; the scope says whose quota it is.
PLATFORM_QUOTAS: dict[str, Quota] = {
    "tiktok": Quota(limit=6, per_seconds=60, kind="bucket"),  # per access token (one per account)
    "instagram": Quota(limit=50, per_seconds=24 * 3600, kind="window"),  # per account, rolling 24 h
}


def _ms(seconds: float) -> int:
    return max(0, math.ceil(float(seconds) * 1000))


class RateLimitGate:
    def __init__(self, client: redis.Redis, *, prefix: str = KEY_PREFIX):
        self.client = client
        self.prefix = prefix
        self._block = client.register_script(_BLOCK)
        self._wait = client.register_script(_WAIT)
        self._bucket = client.register_script(_BUCKET)
        self._window = client.register_script(_WINDOW)

    def _key(self, kind: str, scope_key: str) -> str:
        if not scope_key:
            raise ValueError("empty scope key")
        return f"{self.prefix}{kind}:{scope_key}"

    def block(self, scope_key: str, retry_after: float) -> float:
        """Nobody acts in this scope for `retry_after` seconds (or longer, if already blocked longer).
        Returns the seconds until the block now ends."""
        return int(self._block(keys=[self._key("block", scope_key)], args=[_ms(retry_after)])) / 1000

    def wait_until(self, scope_keys: Iterable[str]) -> float:
        """Seconds to wait before acting in all these scopes (0.0: go ahead now)."""
        keys = [self._key("block", key) for key in scope_keys]
        if not keys:
            return 0.0
        return int(self._wait(keys=keys)) / 1000

    def take(self, scope_key: str, quota: Quota, cost: int = 1) -> float:
        """Use `cost` of the quota in this scope. 0.0: taken, go ahead. Otherwise the seconds until it
        could be taken; nothing was used, ask again then."""
        if cost < 1 or cost > quota.limit:
            raise ValueError("cost must be between 1 and the quota's limit")
        if quota.kind == "bucket":
            rate_per_ms = quota.limit / (quota.per_seconds * 1000)
            waited = self._bucket(
                keys=[self._key("bucket", scope_key)], args=[quota.limit, repr(rate_per_ms), cost]
            )
            return int(waited) / 1000
        if cost != 1:
            raise ValueError("a rolling-window quota is taken one call at a time")
        waited = self._window(
            keys=[self._key("window", scope_key)],
            args=[quota.limit, _ms(quota.per_seconds), uuid.uuid4().hex],
        )
        return int(waited) / 1000


@lru_cache(maxsize=4)
def _gate_for(url: str, prefix: str) -> RateLimitGate:
    return RateLimitGate(redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3), prefix=prefix)


def key_prefix() -> str:
    """Where the gate keeps its keys: KAWO_RATELIMIT_PREFIX (tests give each xdist worker its own)."""
    return getattr(settings, "KAWO_RATELIMIT_PREFIX", KEY_PREFIX)


def gate() -> RateLimitGate:
    """The process's gate on settings.REDIS_URL (one connection pool per process)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        raise ImproperlyConfigured(
            "The publishing rate-limit gate needs Redis: set REDIS_URL (workers must share one gate)."
        )
    return _gate_for(url, key_prefix())


def wait_until(scope_keys: Iterable[str]) -> float:
    """`gate().wait_until(...)`: seconds to wait before acting in all these scopes (0.0: go now)."""
    return gate().wait_until(scope_keys)


def block(scope_key: str, retry_after: float) -> float:
    """`gate().block(...)`: hold every worker off this scope for `retry_after` seconds (or longer)."""
    return gate().block(scope_key, retry_after)


def take(scope_key: str, quota: Quota, cost: int = 1) -> float:
    """`gate().take(...)`: 0.0 when the quota was used, else seconds until it could be."""
    return gate().take(scope_key, quota, cost)


# --- for readers of a platform (metric pulls, inbox polls, fan replies) -------------------------------

logger = logging.getLogger(__name__)


def account_wait(account) -> float:
    """Seconds every worker must still wait before calling the platform for `account` (its own and the
    app's limits). The embedded demo (no REDIS_URL) has no shared gate: 0. Redis down: "try again
    shortly" (2 s), never "go"."""
    if not getattr(settings, "REDIS_URL", ""):
        return 0.0
    try:
        return wait_until([account_scope(account.pk), app_scope(account.platform)])
    except Exception as exc:  # noqa: BLE001 - any Redis failure means "wait", never "go"
        logger.warning("rate-limit gate unavailable: %s", exc)
        return 2.0


def account_block(account, error) -> float:
    """Record a RateLimited `error` for `account` (or for the app, when the platform says the limit is
    ours) so every worker holds off; the seconds to wait. Without Redis, or when Redis fails, the
    platform's Retry-After alone (the caller keeps its own "not before" with the row it retries)."""
    if not getattr(settings, "REDIS_URL", ""):
        return error.retry_after
    scope = app_scope(account.platform) if error.scope == "app" else account_scope(account.pk)
    try:
        return max(error.retry_after, block(scope, error.retry_after))
    except Exception as exc:  # noqa: BLE001 - the caller's own "not before" still holds
        logger.warning("could not record a rate limit in Redis: %s", exc)
        return error.retry_after
