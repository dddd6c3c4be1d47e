"""The target status transition table, as a table: every pair of statuses is either legal or refused."""

import pytest

from content.models import (
    TRANSITIONS,
    IllegalTransition,
    Post,
    TargetStatus,
    aggregate_status,
    aggregate_status_expression,
    can_transition,
    check_transition,
)
from content.tests.factories import PostFactory, PostTargetFactory

S = TargetStatus

LEGAL = {
    (S.DRAFT, S.IN_REVIEW),
    (S.DRAFT, S.SCHEDULED),
    (S.DRAFT, S.CANCELLED),
    (S.IN_REVIEW, S.DRAFT),
    (S.IN_REVIEW, S.APPROVED),
    (S.IN_REVIEW, S.CANCELLED),
    (S.APPROVED, S.DRAFT),
    (S.APPROVED, S.IN_REVIEW),  # the route changed: re-opened for a new stage
    (S.APPROVED, S.SCHEDULED),
    (S.APPROVED, S.CANCELLED),
    (S.SCHEDULED, S.DRAFT),
    (S.SCHEDULED, S.IN_REVIEW),  # the route changed: re-opened for a new stage
    (S.SCHEDULED, S.QUEUED),
    (S.SCHEDULED, S.CANCELLED),
    (S.QUEUED, S.PUBLISHING),
    (S.QUEUED, S.SCHEDULED),
    (S.QUEUED, S.FAILED),
    (S.QUEUED, S.CANCELLED),
    (S.PUBLISHING, S.PUBLISHED),
    (S.PUBLISHING, S.FAILED),
    (S.PUBLISHING, S.UNKNOWN),
    (S.PUBLISHING, S.QUEUED),
    (S.UNKNOWN, S.PUBLISHED),
    (S.UNKNOWN, S.FAILED),
    (S.UNKNOWN, S.QUEUED),
    (S.FAILED, S.DRAFT),
    (S.FAILED, S.SCHEDULED),
    (S.FAILED, S.CANCELLED),
    (S.CANCELLED, S.DRAFT),
}

ALL_PAIRS = [(a, b) for a in S.values for b in S.values]


def test_every_status_has_a_row():
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS, ids=lambda v: str(v))
def test_transition_table(current, new):
    # given / when
    legal = (current, new) in LEGAL
    # then
    assert can_transition(current, new) is legal
    if legal:
        check_transition(current, new)
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, new)
        assert caught.value.status_code == 409
        assert str(S(current).label) in caught.value.message


AGGREGATES = [
    ([], S.DRAFT),
    ([S.SCHEDULED, S.SCHEDULED], S.SCHEDULED),
    ([S.SCHEDULED, S.DRAFT], S.DRAFT),
    ([S.PUBLISHED, S.FAILED], S.FAILED),
    ([S.PUBLISHED, S.UNKNOWN], S.UNKNOWN),
    ([S.PUBLISHED, S.PUBLISHING], S.PUBLISHING),
    ([S.PUBLISHED, S.CANCELLED], S.PUBLISHED),
    ([S.CANCELLED, S.CANCELLED], S.CANCELLED),
]


@pytest.mark.parametrize(("statuses", "expected"), AGGREGATES)
def test_aggregate_status(statuses, expected):
    assert aggregate_status(statuses) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("statuses", "expected"), AGGREGATES)
def test_the_sql_aggregate_sums_up_like_the_python_one(statuses, expected):
    # given: a post whose targets are in these statuses, and its stored status something else
    post = PostFactory(status=S.QUEUED)
    for status in statuses:
        PostTargetFactory(post=post, workspace=post.workspace, status=status)
    # when: the one-UPDATE form the publishing pipeline uses
    Post.objects.filter(pk=post.pk).update(status=aggregate_status_expression())
    # then
    post.refresh_from_db()
    assert post.status == expected
