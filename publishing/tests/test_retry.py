"""retry.py as tables: backoff bounds, the schedule, and every connector error's action."""

import random

import pytest

from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown
from publishing.retry import Action, RetryPolicy, classify, scheduled_delay

POLICY = RetryPolicy(max_attempts=4, base=10, cap=60)


@pytest.mark.parametrize(
    ("attempt", "ceiling"),
    [(1, 10), (2, 20), (3, 40), (4, 60), (5, 60), (100, 60), (10_000, 60)],
)
def test_ceiling_doubles_up_to_the_cap(attempt, ceiling):
    assert POLICY.ceiling(attempt) == ceiling


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 50])
def test_full_jitter_stays_within_zero_and_the_ceiling_and_spreads(attempt):
    # given
    rng = random.Random(7)
    # when
    delays = [POLICY.delay(attempt, rng) for _ in range(2000)]
    # then: bounded, and spread over the whole range (full jitter, not "ceiling plus a little")
    assert all(0 <= d <= POLICY.ceiling(attempt) for d in delays)
    assert min(delays) < POLICY.ceiling(attempt) * 0.05
    assert max(delays) > POLICY.ceiling(attempt) * 0.95


@pytest.mark.parametrize(("attempt", "exhausted"), [(1, False), (3, False), (4, True), (5, True)])
def test_attempts_are_bounded(attempt, exhausted):
    assert POLICY.exhausted(attempt) is exhausted


@pytest.mark.parametrize("bad", [dict(max_attempts=0), dict(base=0), dict(base=10, cap=5)])
def test_nonsense_policies_are_refused(bad):
    with pytest.raises(ValueError):
        RetryPolicy(**bad)


@pytest.mark.parametrize(
    ("attempt", "low", "high"),
    [(1, 60, 72), (2, 300, 360), (3, 1800, 2160), (4, 7200, 8640), (5, 21600, 25920)],
)
def test_schedule_delay_is_never_earlier_and_at_most_20_percent_later(attempt, low, high):
    schedule = (60, 300, 1800, 7200, 21600)
    rng = random.Random(attempt)
    delays = [scheduled_delay(attempt, schedule, rng=rng) for _ in range(500)]
    assert all(low <= d <= high for d in delays)


@pytest.mark.parametrize("attempt", [0, 6, 99])
def test_schedule_is_used_up(attempt):
    assert scheduled_delay(attempt, (60, 300, 1800, 7200, 21600)) is None


CASES = [
    # (error, attempt, refreshed, action, reason)
    (RateLimited(retry_after=42), 1, False, Action.WAIT_FOR, "rate_limited"),
    (RateLimited(retry_after=42), 9, True, Action.WAIT_FOR, "rate_limited"),  # no attempts used up
    (AuthExpired(), 1, False, Action.REFRESH_ONCE, "auth_expired"),
    (AuthExpired(), 1, True, Action.FAIL_PERMANENTLY, "reconnect_account"),
    (AuthExpired(revoked=True), 1, False, Action.FAIL_PERMANENTLY, "reconnect_account"),
    (Rejected("too long"), 1, False, Action.FAIL_PERMANENTLY, "rejected"),
    (Transient("502"), 1, False, Action.BACKOFF, "transient"),
    (Transient("502"), 3, False, Action.BACKOFF, "transient"),
    (Transient("502"), 4, False, Action.FAIL_PERMANENTLY, "retries_exhausted"),
    (Unknown("timeout after send"), 1, False, Action.SETTLE_BY_READING, "unknown_outcome"),
    (Unknown("timeout after send"), 4, True, Action.SETTLE_BY_READING, "unknown_outcome"),
    (RuntimeError("bug after sending"), 1, False, Action.SETTLE_BY_READING, "unexpected_error"),
]


@pytest.mark.parametrize(("error", "attempt", "refreshed", "action", "reason"), CASES)
def test_classification_table(error, attempt, refreshed, action, reason):
    # when
    decision = classify(error, attempt=attempt, policy=POLICY, refreshed=refreshed, rng=random.Random(1))
    # then
    assert (decision.action, decision.reason) == (action, reason)


def test_rate_limit_waits_exactly_retry_after():
    decision = classify(RateLimited(retry_after=17.5), attempt=1, policy=POLICY)
    assert decision.delay == 17.5


def test_backoff_delay_comes_from_the_policy():
    decision = classify(Transient(), attempt=2, policy=POLICY, rng=random.Random(3))
    assert 0 <= decision.delay <= POLICY.ceiling(2)


@pytest.mark.parametrize("error", [Unknown(), RuntimeError(), Rejected(), AuthExpired(revoked=True)])
def test_unknown_and_permanent_outcomes_never_carry_a_retry_delay(error):
    # Nothing that may already have been published, or cannot succeed, is retried blindly.
    decision = classify(error, attempt=1, policy=POLICY)
    assert decision.delay is None
    assert decision.action in (Action.SETTLE_BY_READING, Action.FAIL_PERMANENTLY)
