import uuid

import pytest


@pytest.fixture(autouse=True)
def own_rate_limit_gate(settings):
    """A fresh key prefix per test: a 429 one test records must not hold off the next test's pulls."""
    settings.KAWO_RATELIMIT_PREFIX = f"kawo-test-comp-{uuid.uuid4().hex[:8]}:rl:"
