"""The shared gate against the real Redis (REDIS_URL, the tester's own database number).

Each test uses its own key prefix and deletes only its own keys, so parallel runs never collide.
"""

import threading
import time
import uuid

import pytest
import redis
from django.conf import settings

from publishing.ratelimit import PLATFORM_QUOTAS, Quota, RateLimitGate, account_scope, app_scope, gate


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.ping()
    yield client
    client.close()


@pytest.fixture
def limiter(redis_client):
    prefix = f"test-rl-{uuid.uuid4().hex}:"
    yield RateLimitGate(redis_client, prefix=prefix)
    for key in redis_client.scan_iter(match=f"{prefix}*"):
        redis_client.delete(key)


def run_in_threads(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def test_scope_names():
    assert account_scope(42) == "acct:42"
    assert app_scope("tiktok") == "app:tiktok"


def test_nothing_blocked_means_go(limiter):
    assert limiter.wait_until([account_scope(1), app_scope("x")]) == 0.0
    assert limiter.wait_until([]) == 0.0


def test_a_block_holds_for_retry_after_then_ends(limiter):
    # given
    limiter.block(account_scope(1), 0.6)
    # when
    first = limiter.wait_until([account_scope(1)])
    # then
    assert 0.5 <= first <= 0.6
    time.sleep(0.35)
    assert 0.1 <= limiter.wait_until([account_scope(1)]) <= 0.3
    time.sleep(0.35)
    assert limiter.wait_until([account_scope(1)]) == 0.0


def test_wait_is_the_longest_of_the_scopes(limiter):
    # given: the account is blocked briefly, the whole app on this platform for longer
    limiter.block(account_scope(7), 2)
    limiter.block(app_scope("instagram"), 30)
    # when
    wait = limiter.wait_until([account_scope(7), app_scope("instagram")])
    # then
    assert 29 <= wait <= 30
    assert limiter.wait_until([account_scope(8)]) == 0.0  # other accounts are not affected


def test_a_smaller_retry_after_never_shortens_a_block(limiter):
    # given
    limiter.block(account_scope(1), 60)
    # when
    reported = limiter.block(account_scope(1), 1)
    # then
    assert 59 <= reported <= 60
    assert 59 <= limiter.wait_until([account_scope(1)]) <= 60


def test_a_bigger_retry_after_lengthens_a_block(limiter):
    limiter.block(account_scope(1), 5)
    limiter.block(account_scope(1), 120)
    assert 119 <= limiter.wait_until([account_scope(1)]) <= 120


def test_block_keys_expire_by_themselves(limiter, redis_client):
    limiter.block(account_scope(3), 0.2)
    (key,) = list(redis_client.scan_iter(match=f"{limiter.prefix}*"))
    assert 0 < redis_client.pttl(key) <= 1200


def test_concurrent_blocks_end_at_the_biggest(limiter):
    # given: 32 threads report 429s with different Retry-After values at the same moment
    values = [1 + (i * 7) % 90 for i in range(32)]
    # when
    run_in_threads(32, lambda i: limiter.block(app_scope("tiktok"), values[i]))
    # then: the block is the biggest of them, never a smaller one written last
    wait = limiter.wait_until([app_scope("tiktok")])
    assert max(values) - 1 <= wait <= max(values)


def test_monotonic_under_interleaved_readers_and_writers(limiter, redis_client):
    # given: writers push ever-changing values while readers watch the end time the gate stored
    # (read as Redis holds it: an end computed from the client's clock plus a wait would move with
    # the call's latency, which says nothing about the gate)
    seen_ends = []
    key = limiter._key("block", account_scope(9))

    def work(i):
        if i % 2:
            for n in range(50):
                limiter.block(account_scope(9), (n * 13) % 40 + 1)
            return None
        ends = []
        for _ in range(50):
            limiter.wait_until([account_scope(9)])
            ends.append(int(redis_client.get(key) or 0))
        seen_ends.append(ends)
        return None

    # when
    run_in_threads(8, work)
    # then: each reader saw the block's end only move later, never back
    assert len(seen_ends) == 4
    for ends in seen_ends:
        assert all(later >= earlier for earlier, later in zip(ends, ends[1:], strict=False))


def test_token_bucket_lets_exactly_capacity_through_at_once(limiter):
    # given: TikTok's rule, 6 requests a minute per token; 20 threads try at the same moment
    quota = PLATFORM_QUOTAS["tiktok"]
    # when
    waits = run_in_threads(20, lambda i: limiter.take(account_scope(5), quota))
    # then
    assert sum(1 for w in waits if w == 0.0) == 6
    refused = [w for w in waits if w > 0]
    assert len(refused) == 14
    assert all(0 < w <= 10.0 for w in refused)  # one token comes back every 10 s


def test_token_bucket_refills(limiter):
    # given: 2 per second, used up
    quota = Quota(limit=2, per_seconds=1)
    assert limiter.take(account_scope(1), quota) == 0.0
    assert limiter.take(account_scope(1), quota) == 0.0
    wait = limiter.take(account_scope(1), quota)
    assert 0 < wait <= 0.5
    # when
    time.sleep(wait + 0.05)
    # then
    assert limiter.take(account_scope(1), quota) == 0.0


def test_rolling_window_is_exact(limiter):
    # given: 3 per rolling 0.8 s (Instagram's 50 per 24 h, scaled down)
    quota = Quota(limit=3, per_seconds=0.8, kind="window")
    waits = run_in_threads(10, lambda i: limiter.take(account_scope(2), quota))
    assert sum(1 for w in waits if w == 0.0) == 3
    # when: the window has not passed, still refused
    time.sleep(0.3)
    later = limiter.take(account_scope(2), quota)
    # then
    assert 0 < later <= 0.5
    time.sleep(later + 0.05)
    assert limiter.take(account_scope(2), quota) == 0.0


def test_instagram_quota_is_a_rolling_window():
    assert PLATFORM_QUOTAS["instagram"] == Quota(limit=50, per_seconds=86400, kind="window")


@pytest.mark.parametrize("cost", [0, 7])
def test_impossible_costs_are_refused(limiter, cost):
    with pytest.raises(ValueError):
        limiter.take(account_scope(1), PLATFORM_QUOTAS["tiktok"], cost=cost)


def test_the_process_gate_uses_settings_redis():
    shared = gate()
    assert shared is gate()
    assert shared.client.connection_pool.connection_kwargs["db"] == int(settings.REDIS_URL.rsplit("/", 1)[1])


def test_module_functions_use_the_process_gate(redis_client):
    # given: a scope name no other test uses (the shared gate has the production key prefix)
    from publishing import ratelimit

    scope = f"acct:test-{uuid.uuid4().hex}"
    try:
        # when
        ratelimit.block(scope, 30)
        # then
        assert 29 <= ratelimit.wait_until([scope]) <= 30
        assert ratelimit.take(scope, Quota(limit=1, per_seconds=60)) == 0.0
        assert ratelimit.take(scope, Quota(limit=1, per_seconds=60)) > 0
    finally:
        for key in redis_client.scan_iter(match=f"{ratelimit.KEY_PREFIX}*{scope}"):
            redis_client.delete(key)
