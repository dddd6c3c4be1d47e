"""Competitor alerts (issue 14): a rival's post far above its usual engagement, a rival posting far more
than usual, a rival's post matching a watched keyword. Told to the workspace's people who may see
competitors, in the bell and by email as each chose (approvals.notices.notify).

The rules (README.md "Alerts"), per workspace that benchmarks the rival's brand, with its settings
(`CompetitorAlertSettings`; no row = the defaults):

- **Engagement spike**: a post published in the last ALERT_LOOKBACK whose engagements exceed
  median + k x 1.4826 x MAD of the N posts of the same account published before it (posts with
  figures; N = `baseline_posts`, default 30; k = `threshold_k`, default 5). MAD is the raw median
  absolute deviation, scaled by 1.4826 (so k counts standard deviations of normal data, as the
  benchmark's spikes do); a MAD of 0 counts as 1, so a flat history still needs a real jump. No alert
  while the baseline has fewer than MIN_BASELINE (10) posts.
- **Posting spike**: the account's posts in the last 24 h exceed median + k x 1.4826 x MAD of its post
  counts in each of the 28 24-hour windows before (MAD of 0 counts as 1 post), once the account has at
  least MIN_BASELINE posts in those 28 days. Once per account and workspace day.
- **Keyword**: a post published in the last ALERT_LOOKBACK whose text contains a watched keyword,
  case-insensitively: a keyword with Chinese (or other non-Latin) letters as a substring, a Latin one as
  a whole word (not touching another Latin letter or digit).

Each alert is a `CompetitorAlert` row under a unique constraint ((workspace, post, kind), or (workspace,
account, kind, day)); an alert already stored is never told again, so the evaluation after every pull
(`rival_alerts_evaluate`, called at the end of `rival_pull` and by the demo) may run any number of times.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for, workspace_members
from analytics.selectors.days import local_date
from approvals.models import CompetitorNotificationKind
from approvals.notices import notify
from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import (
    AlertKind,
    BenchmarkedBrand,
    CompetitorAlert,
    CompetitorAlertSettings,
    RivalAccount,
    RivalPost,
)
from ..selectors.benchmark import MAD_SCALE, median_mad

logger = logging.getLogger(__name__)

ALERT_LOOKBACK = timedelta(days=3)  # posts younger than this are checked (figures grow for days)
MIN_BASELINE = 10  # posts needed in a baseline before any spike alert
POSTING_DAYS = 28  # 24-hour windows in the posting baseline
MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 50
BASELINE_RANGE = (MIN_BASELINE, 200)
K_RANGE = (Decimal("1"), Decimal("20"))
NOTICE_KIND = {
    AlertKind.SPIKE: CompetitorNotificationKind.COMPETITOR_SPIKE,
    AlertKind.POSTING: CompetitorNotificationKind.COMPETITOR_POSTING,
    AlertKind.KEYWORD: CompetitorNotificationKind.COMPETITOR_KEYWORD,
}


# --- the rules, pure ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    median: float
    mad: float  # raw (unscaled)
    threshold: float


def robust_threshold(values: list[float], k: float) -> Threshold:
    """median + k x 1.4826 x MAD (a MAD of 0 counts as 1)."""
    m, mad = median_mad(values)
    return Threshold(m, mad, m + k * MAD_SCALE * max(mad, 1.0))


_LATIN = "0-9A-Za-z\u00c0-\u024f"
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


def keyword_pattern(keyword: str) -> re.Pattern:
    """Chinese (any non-Latin letter): a substring; Latin: a whole word. Case-insensitive."""
    word = re.escape(keyword.strip().casefold())
    if _NON_LATIN_LETTER.search(keyword):
        return re.compile(word)
    return re.compile(rf"(?<![{_LATIN}]){word}(?![{_LATIN}])")


def keywords_matched(text: str, keywords: list[str]) -> list[str]:
    folded = (text or "").casefold()
    return [keyword for keyword in keywords if keyword_pattern(keyword).search(folded)]


# --- settings ---------------------------------------------------------------------------------------------


def alert_settings_of(workspace) -> CompetitorAlertSettings:
    """The workspace's settings, or the defaults (unsaved) when it never changed them."""
    found = CompetitorAlertSettings.objects.filter(workspace=workspace).first()
    return found or CompetitorAlertSettings(workspace=workspace)


def _clean_keywords(keywords) -> list[str]:
    if isinstance(keywords, str):
        keywords = re.split(r"[\n,，、]", keywords)
    cleaned, seen = [], set()
    for raw in keywords or []:
        word = " ".join(str(raw).split())
        if not word or word.casefold() in seen:
            continue
        if len(word) > MAX_KEYWORD_LENGTH:
            raise ValidationFailed(
                _("A keyword is at most %(n)s characters: %(word)s")
                % {"n": MAX_KEYWORD_LENGTH, "word": word},
                field="keywords",
            )
        seen.add(word.casefold())
        cleaned.append(word)
    if len(cleaned) > MAX_KEYWORDS:
        raise ValidationFailed(_("Watch at most %(n)s keywords.") % {"n": MAX_KEYWORDS}, field="keywords")
    return cleaned


@transaction.atomic
def alert_settings_update(
    *,
    actor,
    workspace,
    keywords=None,
    baseline_posts: int | None = None,
    threshold_k=None,
    spike_on: bool | None = None,
    posting_on: bool | None = None,
    keyword_on: bool | None = None,
) -> CompetitorAlertSettings:
    """Change the workspace's alert rules (only the arguments given); errors name their field."""
    found = alert_settings_of(workspace)
    before = _settings_data(found)
    errors: dict[str, list[str]] = {}
    if keywords is not None:
        try:
            found.keywords = _clean_keywords(keywords)
        except ValidationFailed as error:
            errors.update(error.fields)
    if baseline_posts is not None:
        low, high = BASELINE_RANGE
        if not low <= int(baseline_posts) <= high:
            errors["baseline_posts"] = [
                _("Choose between %(low)s and %(high)s posts.") % {"low": low, "high": high}
            ]
        found.baseline_posts = int(baseline_posts)
    if threshold_k is not None:
        k = Decimal(str(threshold_k))
        low, high = K_RANGE
        if not low <= k <= high:
            errors["threshold_k"] = [_("Choose between %(low)s and %(high)s.") % {"low": low, "high": high}]
        found.threshold_k = k.quantize(Decimal("0.1"))
    for name, value in (("spike_on", spike_on), ("posting_on", posting_on), ("keyword_on", keyword_on)):
        if value is not None:
            setattr(found, name, bool(value))
    if errors:
        raise ValidationFailed(_("Please correct the alert settings."), fields=errors)
    found.save()
    audit_record(
        actor=actor,
        action="competitor.alert_settings_update",
        target=found,
        workspace=workspace,
        before=before,
        after=_settings_data(found),
    )
    return found


def _settings_data(found: CompetitorAlertSettings) -> dict:
    return {
        "keywords": list(found.keywords),
        "baseline_posts": found.baseline_posts,
        "threshold_k": str(found.threshold_k),
        "spike_on": found.spike_on,
        "posting_on": found.posting_on,
        "keyword_on": found.keyword_on,
    }


# --- evaluation -------------------------------------------------------------------------------------------


def alert_recipients(workspace) -> list:
    """The workspace's people who may see competitors (agency ceilings applied)."""
    people = []
    for member in workspace_members(workspace).order_by("pk"):
        access = workspace_access_for(user=member.user, workspace_id=workspace.pk)
        if access is not None and access.can(Capability.COMPETITOR_VIEW):
            people.append(member.user)
    return people


@dataclass(frozen=True)
class Found:
    kind: str
    post: RivalPost | None = None
    day: object = None
    value: float | None = None
    rule: Threshold | None = None
    keywords: tuple[str, ...] = ()


def _engagement_spikes(rival: RivalAccount, settings: CompetitorAlertSettings, now: datetime) -> list[Found]:
    since = now - ALERT_LOOKBACK
    recent = list(
        RivalPost.objects.filter(rival=rival, published_at__gte=since, published_at__lte=now).order_by(
            "published_at", "pk"
        )
    )
    if not recent:
        return []
    n = settings.baseline_posts
    older = list(
        RivalPost.objects.filter(rival=rival, published_at__lt=since, engagements__isnull=False)
        .order_by("-published_at", "-pk")
        .values_list("engagements", flat=True)[:n]
    )
    series = list(reversed(older))
    found = []
    for post in recent:
        baseline = series[-n:]
        if post.engagements is not None:
            if len(baseline) >= MIN_BASELINE and post.deleted_at is None:
                rule = robust_threshold(baseline, float(settings.threshold_k))
                if post.engagements > rule.threshold:
                    found.append(Found(AlertKind.SPIKE, post=post, value=post.engagements, rule=rule))
            series.append(post.engagements)
    return found


def _posting_spike(
    workspace, rival: RivalAccount, settings: CompetitorAlertSettings, now: datetime
) -> list[Found]:
    start = now - timedelta(days=POSTING_DAYS + 1)
    times = list(
        RivalPost.objects.filter(rival=rival, published_at__gt=start, published_at__lte=now).values_list(
            "published_at", flat=True
        )
    )
    counts = [0] * (POSTING_DAYS + 1)  # [0]: the last 24 h, [i]: the i-th 24 h before
    for at in times:
        counts[min(POSTING_DAYS, int((now - at) / timedelta(days=1)))] += 1
    today, baseline = counts[0], counts[1:]
    if sum(baseline) < MIN_BASELINE:
        return []
    rule = robust_threshold([float(c) for c in baseline], float(settings.threshold_k))
    if today <= rule.threshold:
        return []
    return [Found(AlertKind.POSTING, day=local_date(workspace, now), value=float(today), rule=rule)]


def _keyword_posts(rival: RivalAccount, settings: CompetitorAlertSettings, now: datetime) -> list[Found]:
    if not settings.keywords:
        return []
    found = []
    for post in RivalPost.objects.filter(
        rival=rival, published_at__gte=now - ALERT_LOOKBACK, published_at__lte=now, deleted_at__isnull=True
    ).order_by("published_at", "pk"):
        matched = keywords_matched(post.text, settings.keywords)
        if matched:
            found.append(Found(AlertKind.KEYWORD, post=post, keywords=tuple(matched)))
    return found


def rival_alerts_evaluate(*, rival_id: int, now: datetime | None = None) -> list[CompetitorAlert]:
    """Check one rival account against the rules of every workspace that benchmarks its brand; store and
    tell each new alert once. Returns the alerts made by this call."""
    now = now or timezone.now()
    rival = RivalAccount.objects.select_related("brand").filter(pk=rival_id).first()
    if rival is None:
        return []
    made = []
    for benchmarked in BenchmarkedBrand.objects.filter(brand_id=rival.brand_id).select_related("workspace"):
        made += _evaluate_in(benchmarked.workspace, rival, now)
    return made


def _evaluate_in(workspace, rival: RivalAccount, now: datetime) -> list[CompetitorAlert]:
    settings = alert_settings_of(workspace)
    found: list[Found] = []
    if settings.spike_on:
        found += _engagement_spikes(rival, settings, now)
    if settings.posting_on:
        found += _posting_spike(workspace, rival, settings, now)
    if settings.keyword_on:
        found += _keyword_posts(rival, settings, now)
    if not found:
        return []
    made = []
    with transaction.atomic():
        recipients = None
        for item in found:
            alert = _store(workspace, rival, item)
            if alert is None:
                continue
            if recipients is None:
                recipients = alert_recipients(workspace)
            _tell(recipients, workspace, rival, alert)
            made.append(alert)
    return made


def _store(workspace, rival: RivalAccount, item: Found) -> CompetitorAlert | None:
    """The alert row, or None when it was raised before (the unique constraint decides)."""
    key = {"post": item.post} if item.post is not None else {"day": item.day}
    if CompetitorAlert.objects.filter(workspace=workspace, rival=rival, kind=item.kind, **key).exists():
        return None
    try:
        with transaction.atomic():
            alert = CompetitorAlert.objects.create(
                workspace=workspace,
                rival=rival,
                kind=item.kind,
                value=item.value,
                median=item.rule.median if item.rule else None,
                mad=item.rule.mad if item.rule else None,
                threshold=item.rule.threshold if item.rule else None,
                keywords=list(item.keywords),
                **key,
            )
    except IntegrityError:  # an evaluation running at the same moment stored it first
        return None
    audit_record(
        actor=None,
        actor_label="competitor alerts",
        action="competitor.alert",
        target=alert,
        workspace=workspace,
        after={
            "kind": alert.kind,
            "rival": rival.pk,
            "post": item.post.platform_post_id if item.post else None,
            "day": item.day.isoformat() if item.day else None,
            "value": item.value,
            "threshold": alert.threshold,
            "keywords": list(item.keywords),
        },
    )
    return alert


def alert_link(workspace, alert: CompetitorAlert) -> str:
    """The benchmark of the week that ends on the alert's day (the post is in its top posts and spikes)."""
    day = local_date(workspace, alert.post.published_at) if alert.post_id else alert.day
    return (
        reverse("competitors:benchmark", args=[workspace.pk])
        + f"?start={(day - timedelta(days=6)).isoformat()}&end={day.isoformat()}"
    )


def alert_message(alert: CompetitorAlert, rival: RivalAccount) -> str:
    """The alert in the active language (the bell, the email and the alerts list)."""
    who = {"brand": rival.brand.name, "handle": rival.handle}
    if alert.kind == AlertKind.SPIKE:
        return _(
            "%(brand)s (@%(handle)s): a post has %(value)s engagements, above its usual %(median)s "
            "(threshold %(threshold)s)."
        ) % {
            **who,
            "value": f"{alert.value:,.0f}",
            "median": f"{alert.median:,.0f}",
            "threshold": f"{alert.threshold:,.1f}",
        }
    if alert.kind == AlertKind.POSTING:
        return _(
            "%(brand)s (@%(handle)s) posted %(value)s times in the last 24 hours; it usually posts "
            "%(median)s a day (threshold %(threshold)s)."
        ) % {
            **who,
            "value": f"{alert.value:,.0f}",
            "median": f"{alert.median:g}",
            "threshold": f"{alert.threshold:,.1f}",
        }
    return _("%(brand)s (@%(handle)s) posted about %(keywords)s.") % {
        **who,
        "keywords": ", ".join(alert.keywords),
    }


def _tell(recipients, workspace, rival: RivalAccount, alert: CompetitorAlert) -> None:
    notify(
        recipients,
        kind=NOTICE_KIND[alert.kind],
        workspace_id=workspace.pk,
        message=lambda: alert_message(alert, rival),
        link=alert_link(workspace, alert),
    )
