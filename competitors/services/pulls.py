"""Reading rivals: one pull per rival account, planned on a schedule, through the shared rate limiter.

A pull (task `competitors.pull_rival`, metrics queue, lowest priority) reads the account now (handle,
followers: a renamed account keeps its id, a private or vanished one is marked so and keeps its
history), then its posts since the last pull (the first pull goes back KAWO_COMPETITORS_HISTORY_DAYS,
page by page, continuing from a saved cursor), then the figures of every post still in its platform's
tracking window (a post the platform no longer serves is marked deleted, its last figures kept). Every
value is stored as a snapshot tagged with the source. A 429 blocks the source's scope in the shared gate
for Retry-After and keeps `not_before` on the row; billed sources (X) stop at the monthly budget.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels_app.connectors.errors import ConnectorError, RateLimited

from ..models import RivalAccount, RivalPost, RivalSnapshot, RivalStatus, SourceUsage
from ..sources.base import PostPage, RivalNotFound, RivalPrivate, RivalSource
from ..sources.registry import source_for
from ..text import hashtags

logger = logging.getLogger(__name__)
QUEUE_LEASE = timedelta(minutes=15)  # a pull queued longer ago than this was lost: plan it again


@dataclass(frozen=True)
class PullResult:
    status: str  # done, private, gone, rate_limited, budget, failed, skipped
    posts_new: int = 0
    posts_read: int = 0
    deleted: int = 0
    snapshots: int = 0
    retry_after: float | None = None
    detail: str = ""


def track_days(platform: str) -> int:
    days = settings.KAWO_COMPETITORS_TRACK_DAYS
    return int(days.get(platform, days.get("default", 7)))


def rival_scope(platform: str) -> str:
    """The gate scope of competitor reads on a platform (their own limits: app-only or provider key)."""
    return f"comp:{platform}"


def _gate_wait(platform: str) -> float:
    """Seconds until this platform may be read: competitor reads wait for every block of the platform's
    app scope (ours, shared with publishing and our own metrics) and of their own scope."""
    if not getattr(settings, "REDIS_URL", ""):
        return 0.0
    from publishing import ratelimit

    try:
        return ratelimit.wait_until([ratelimit.app_scope(platform), rival_scope(platform)])
    except Exception as exc:  # noqa: BLE001 - Redis down: "try again shortly", never "go"
        logger.warning("rate-limit gate unavailable: %s", exc)
        return 2.0


def _gate_block(platform: str, retry_after: float) -> float:
    if not getattr(settings, "REDIS_URL", ""):
        return retry_after
    from publishing import ratelimit

    try:
        return max(retry_after, ratelimit.block(rival_scope(platform), retry_after))
    except Exception as exc:  # noqa: BLE001 - the row's not_before still holds
        logger.warning("could not record a rate limit in Redis: %s", exc)
        return retry_after


def _month(now: datetime):
    return now.date().replace(day=1)


def budget_left(source: RivalSource, now: datetime) -> int | None:
    if not source.billed:
        return None
    used = (
        SourceUsage.objects.filter(source=source.key, month=_month(now))
        .values_list("reads", flat=True)
        .first()
    )
    return max(0, settings.KAWO_COMPETITORS_X_READS_PER_MONTH - (used or 0))


def _charge(source: RivalSource, now: datetime) -> None:
    if not source.billed or not source.calls:
        return
    usage, _created = SourceUsage.objects.get_or_create(source=source.key, month=_month(now))
    SourceUsage.objects.filter(pk=usage.pk).update(reads=F("reads") + source.calls)


def _snapshot_rows(rival: RivalAccount, post_id: str, raw: dict[str, float], now: datetime, source: str):
    return [
        RivalSnapshot(
            rival=rival,
            platform_post_id=post_id,
            metric=key,
            value=float(value),
            captured_at=now,
            source=source,
        )
        for key, value in raw.items()
    ]


def _post_fields(source: RivalSource, raw: dict[str, float], now: datetime) -> dict:
    if not raw:
        return {}
    common = source.common_figures(raw)
    return {
        **{k: common[k] for k in ("likes", "comments", "shares", "views", "engagements")},
        "figures_at": now,
    }


def _store_page(
    rival: RivalAccount, source: RivalSource, page: PostPage, now: datetime, ids_of
) -> tuple[int, int]:
    """Upsert the page's posts; returns (new posts, snapshot rows)."""
    existing = set(
        RivalPost.objects.filter(
            rival=rival, platform_post_id__in=[ids_of(p) for p in page.posts]
        ).values_list("platform_post_id", flat=True)
    )
    created, snapshots = [], []
    window = timedelta(days=track_days(rival.platform))
    for item in page.posts:
        post_id = ids_of(item)
        fields = _post_fields(source, item.raw, now)
        if post_id in existing:
            if fields:
                RivalPost.objects.filter(rival=rival, platform_post_id=post_id).update(**fields)
        else:
            created.append(
                RivalPost(
                    rival=rival,
                    platform_post_id=post_id,
                    published_at=item.published_at,
                    text=item.text,
                    url=item.url[:500],
                    media_kind=item.media_kind[:20],
                    hashtags=hashtags(item.text),
                    source=source.key,
                    track_until=item.published_at + window,
                    **fields,
                )
            )
        snapshots += _snapshot_rows(rival, post_id, item.raw, now, source.key)
    # A pull of the same rival running at the same moment may have stored a post first: keep its row.
    RivalPost.objects.bulk_create(created, ignore_conflicts=True)
    new = len(created)
    RivalSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return new, len(snapshots)


def _figure_id(rival: RivalAccount, post_id: str) -> str:
    # Bluesky record keys are unique within a repo only: its figures are asked by "<did>/<rkey>".
    return f"{rival.external_id}/{post_id}" if rival.platform == "bluesky" else post_id


def rival_pull(rival_id: int, *, now: datetime | None = None) -> PullResult:
    """Read one rival account now (see the module's docstring). Safe to run twice: snapshots are keyed
    by capture time and the posts by their platform id."""
    now = now or timezone.now()
    rival = RivalAccount.objects.filter(pk=rival_id).first()
    if rival is None:
        return PullResult("skipped", detail="no such rival")
    RivalAccount.objects.filter(pk=rival.pk).update(queued_at=None)
    if rival.not_before and rival.not_before > now:
        return PullResult("skipped", detail="rate limited")
    wait = _gate_wait(rival.platform)
    if wait > 0:
        RivalAccount.objects.filter(pk=rival.pk).update(not_before=now + timedelta(seconds=wait))
        return PullResult("rate_limited", retry_after=wait)
    source = source_for(rival.platform)
    left = budget_left(source, now)
    if left is not None and left <= 0:
        return PullResult("budget", detail="the monthly read budget of this source is spent")
    try:
        result = _pull(rival, source, now, budget=left)
    except RateLimited as error:
        until = _gate_block(rival.platform, error.retry_after)
        RivalAccount.objects.filter(pk=rival.pk).update(not_before=now + timedelta(seconds=until))
        return PullResult("rate_limited", retry_after=until, detail=str(error)[:300])
    except ConnectorError as error:
        RivalAccount.objects.filter(pk=rival.pk).update(
            status=RivalStatus.ERROR, status_detail=str(error)[:300]
        )
        return PullResult("failed", detail=str(error)[:300])
    finally:
        _charge(source, now)
        source.close()
    if result.status == "done":
        _alerts_after_pull(rival.pk, now)
    return result


def _alerts_after_pull(rival_id: int, now: datetime) -> None:
    """The alert rules over what this pull stored (services/alerts.py); a failure there is logged and
    never undoes the pull (the next pull evaluates again)."""
    from .alerts import rival_alerts_evaluate

    try:
        rival_alerts_evaluate(rival_id=rival_id, now=now)
    except Exception:
        logger.exception("competitor alerts of rival %s failed", rival_id)


def _pull(rival: RivalAccount, source: RivalSource, now: datetime, *, budget: int | None) -> PullResult:
    try:
        found = source.profile(rival.external_id, handle=rival.handle)
    except RivalNotFound as error:
        RivalAccount.objects.filter(pk=rival.pk).update(
            status=RivalStatus.GONE, status_detail=str(error)[:300], last_pulled_at=now
        )
        return PullResult("gone", detail=str(error)[:300])
    with transaction.atomic():
        rival.handle = found.handle or rival.handle
        rival.display_name = found.display_name or rival.display_name
        rival.avatar_url = (found.avatar_url or rival.avatar_url)[:500]
        rival.profile_url = (found.profile_url or rival.profile_url)[:500]
        if found.followers is not None:
            rival.followers = found.followers
            RivalSnapshot.objects.bulk_create(
                _snapshot_rows(rival, "", {"followers": found.followers}, now, source.key),
                ignore_conflicts=True,
            )
        rival.save(
            update_fields=["handle", "display_name", "avatar_url", "profile_url", "followers", "updated_at"]
        )
    if found.private:
        RivalAccount.objects.filter(pk=rival.pk).update(
            status=RivalStatus.PRIVATE, status_detail="", last_pulled_at=now
        )
        return PullResult("private")

    # New posts since the last pull (a day of overlap: late-indexed posts), or the history on the first.
    if rival.first_pulled_at is None or rival.history_cursor:
        since = now - timedelta(days=settings.KAWO_COMPETITORS_HISTORY_DAYS)
    else:
        since = (rival.last_pulled_at or now) - timedelta(days=1)
    cursor, new, read, snapshots, pages = rival.history_cursor, 0, 0, 0, 0
    try:
        while pages < settings.KAWO_COMPETITORS_PAGES_PER_PULL:
            if budget is not None and source.calls >= budget:
                break
            page = source.posts(rival.external_id, since=since, cursor=cursor, handle=rival.handle)
            pages += 1
            with transaction.atomic():
                added, rows = _store_page(rival, source, page, now, lambda item: item.external_id)
            new, read, snapshots = new + added, read + len(page.posts), snapshots + rows
            cursor = page.next_cursor
            if not cursor:
                break
    except RivalPrivate as error:
        RivalAccount.objects.filter(pk=rival.pk).update(
            status=RivalStatus.PRIVATE, status_detail=str(error)[:300], last_pulled_at=now
        )
        return PullResult("private", posts_new=new)

    # Figures of the posts still in their window that this pull did not just read.
    tracked = list(
        RivalPost.objects.filter(rival=rival, deleted_at__isnull=True, track_until__gt=now).filter(
            Q(figures_at__isnull=True) | Q(figures_at__lt=now)
        )
    )
    deleted = 0
    if tracked and (budget is None or source.calls < budget):
        by_figure_id = {_figure_id(rival, p.platform_post_id): p for p in tracked}
        result = source.post_figures(list(by_figure_id), handle=rival.handle)
        rows = []
        with transaction.atomic():
            for figure_id, raw in result.found.items():
                post = by_figure_id.get(figure_id)
                if post is None:
                    continue
                fields = _post_fields(source, raw, now)
                if fields:
                    RivalPost.objects.filter(pk=post.pk).update(**fields)
                rows += _snapshot_rows(rival, post.platform_post_id, raw, now, source.key)
            gone = [by_figure_id[i].pk for i in result.deleted if i in by_figure_id]
            deleted = RivalPost.objects.filter(pk__in=gone).update(deleted_at=now)
            RivalSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
        snapshots += len(rows)

    RivalAccount.objects.filter(pk=rival.pk).update(
        status=RivalStatus.ACTIVE,
        status_detail="",
        last_pulled_at=now,
        history_cursor=cursor[:300],
        first_pulled_at=rival.first_pulled_at or now,
        not_before=None,
    )
    return PullResult("done", posts_new=new, posts_read=read, deleted=deleted, snapshots=snapshots)


def rivals_plan(*, now: datetime | None = None) -> list[int]:
    """Queue a pull of every rival account due (never read, or read longer ago than the interval; any
    rate limit passed), once: the rows are claimed with SKIP LOCKED and sent after commit."""
    from ..tasks import pull_rival

    now = now or timezone.now()
    due_before = now - timedelta(seconds=settings.KAWO_COMPETITORS_PULL_INTERVAL_SECONDS)
    with transaction.atomic():
        ids = list(
            RivalAccount.objects.select_for_update(skip_locked=True)
            .filter(status__in=[RivalStatus.ACTIVE, RivalStatus.PRIVATE, RivalStatus.ERROR])
            # nothing for a deleted organization (lifecycle: restorable for a while); rivals are the
            # organization's, shared by its workspaces
            .filter(organization__deleted_at__isnull=True)
            .filter(Q(last_pulled_at__isnull=True) | Q(last_pulled_at__lt=due_before) | ~Q(history_cursor=""))
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUE_LEASE))
            .values_list("pk", flat=True)[:500]
        )
        # Claimed: the next plan must not send them again while they wait in the queue.
        RivalAccount.objects.filter(pk__in=ids).update(queued_at=now)
        for rival_id in ids:
            transaction.on_commit(lambda rival_id=rival_id: pull_rival.delay(rival_id))
    return ids
