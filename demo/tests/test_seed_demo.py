from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AgencyGrant, Organization, User, Workspace, WorkspaceMember
from accounts.roles import Role
from accounts.selectors import workspace_access_for, workspaces_for_user
from approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    CompetitorNotificationKind,
    Notification,
    PostComment,
    RequestStatus,
)
from approvals.selectors import requests_waiting_for
from content.models import Campaign, Post, PostTarget, PostVersion, TagGroup
from core.models import AuditEvent
from demo.content import post_time
from demo.content_plan import FLOW_STATUS, SIMULATOR_FLOWS
from demo.plans import PLANS
from publishing.models import PublishAttempt

pytestmark = pytest.mark.django_db

NO_SIM = "http://127.0.0.1:9"  # nothing listens there: the demo without the platform simulator


def seed(*args) -> tuple[str, str]:
    """The demo's organizations, accounts and content; its analytics history (demo.analytics, with
    posts of the months before) has tests of its own in test_demo_analytics.py."""
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--no-analytics", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def content_counts() -> dict:
    return {
        "posts": Post.objects.count(),
        "targets": PostTarget.objects.count(),
        "versions": PostVersion.objects.count(),
        "requests": ApprovalRequest.objects.count(),
        "campaigns": Campaign.objects.count(),
        "tag_groups": TagGroup.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def month_statuses(workspace: Workspace) -> set[str]:
    today = timezone.now().astimezone(workspace.tzinfo).date()
    return {
        p.status
        for p in Post.objects.filter(workspace=workspace)
        if (
            p.scheduled_at.astimezone(workspace.tzinfo).year,
            p.scheduled_at.astimezone(workspace.tzinfo).month,
        )
        == (today.year, today.month)
    }


def test_seed_demo_creates_brand_agency_and_a_user_per_role_and_is_idempotent():
    # when
    seed("--sim-url", NO_SIM)
    out, _err = seed("--sim-url", NO_SIM)
    # then
    brand = Organization.objects.get(slug="lumiere")
    assert brand.kind == Organization.Kind.BRAND
    assert list(brand.workspaces.order_by("name").values_list("name", flat=True)) == [
        "Lumière China",
        "Lumière Global",
    ]
    china = brand.workspaces.get(slug="china")
    roles = set(
        WorkspaceMember.objects.filter(workspace=china, grant__isnull=True).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    grant = AgencyGrant.objects.get(workspace=china, revoked_at__isnull=True)
    assert grant.agency.kind == Organization.Kind.AGENCY
    agency_editor = User.objects.get(email="agency-editor@demo.kawo.test")
    assert [w.slug for w in workspaces_for_user(user=agency_editor)] == ["china"]
    assert workspace_access_for(user=agency_editor, workspace_id=china.pk).role == Role.EDITOR
    assert agency_editor.check_password("kawo-demo-2026")
    assert "editor@demo.kawo.test" in out and "kawo-demo-2026" in out
    assert Organization.objects.filter(slug="lumiere").count() == 1


def test_seed_demo_fills_both_brand_workspaces_with_content_in_every_state_once():
    # when: without the simulator, seeded twice
    out, err = seed("--sim-url", NO_SIM)
    first = content_counts()
    out_again, err_again = seed("--sim-url", NO_SIM)
    # then: the second run creates nothing and says the content is there
    assert content_counts() == first
    assert not err and not err_again, err + err_again  # every post reached its planned state
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    global_ = Workspace.objects.get(organization__slug="lumiere", slug="global")
    for workspace in (china, global_):
        plan = PLANS[workspace.slug]
        planned = [p for p in plan.posts if p.flow not in SIMULATOR_FLOWS]
        posts = {p.title: p for p in Post.objects.filter(workspace=workspace)}
        assert len(posts) == len(planned)
        assert {p.title: posts[p.title].status for p in planned} == {
            p.title: FLOW_STATUS[p.flow] for p in planned
        }
        assert month_statuses(workspace), "nothing in this month's calendar"
        assert TagGroup.objects.get(workspace=workspace, name=plan.pillar_group).required
        assert Campaign.objects.filter(workspace=workspace).count() == 2
        assert all(PostVersion.objects.filter(post=p).exists() for p in posts.values())
        scheduled = Post.objects.filter(workspace=workspace, status="scheduled")
        assert scheduled.exists() and all(p.scheduled_at > timezone.now() for p in scheduled)
        summary = f"{workspace.name}: {len(posts)} posts, "
        assert summary in out and summary in out_again
    assert "awaiting review" in out and "(content already present)" in out_again
    assert {p.status for p in Post.objects.filter(workspace=china)} >= {"draft", "in_review", "scheduled"}
    # whatever the day: China's calendar for this month holds drafts and posts in review (the scheduled
    # ones may be next month's near its end), Global's holds drafts and what is scheduled
    assert month_statuses(china) >= {"draft", "in_review"}, month_statuses(china)
    assert {p.status for p in Post.objects.filter(workspace=global_)} == {"draft", "scheduled"}
    # the workflow's stages and the policy put China's posts through review; Global's need none
    legal = User.objects.get(email="legal@demo.kawo.test")
    waiting = list(requests_waiting_for(user=legal))
    assert len(waiting) >= 1 and {r.workspace_id for r in waiting} == {china.pk}
    manager = User.objects.get(email="manager@demo.kawo.test")
    assert requests_waiting_for(user=manager).exists()
    # the bell: unread approval notices are only the reviews still waiting for each person (the rest of
    # the seeded history is read); competitor alerts on the demo's rivals come on top for those who may
    # see competitors
    for person in (legal, manager):
        unread = Notification.objects.filter(recipient=person, read_at__isnull=True).exclude(
            kind__in=CompetitorNotificationKind.values
        )
        assert set(unread.values_list("post_id", flat=True)) == {
            r.post_id for r in requests_waiting_for(user=person)
        }
    assert Notification.objects.filter(recipient=manager, read_at__isnull=False).exists()
    assert Notification.objects.filter(recipient=manager, kind__in=CompetitorNotificationKind.values).exists()
    at_hq = ApprovalRequest.objects.get(workspace=china, status="in_progress", current_stage__position=2)
    assert at_hq.current_stage.stage.approver_emails == [PLANS["china"].hq_email]
    assert not ApprovalRequest.objects.filter(workspace=global_).exists()
    assert ApprovalDecision.objects.filter(
        request__workspace=china, reviewer=legal, decision="approve"
    ).exists()
    # changes requested, with legal's comment anchored on the claim
    changed = ApprovalRequest.objects.get(workspace=china, status=RequestStatus.CHANGES_REQUESTED)
    assert changed.post.status == "draft"
    assert changed.decisions.get(decision="request_changes").comment
    anchored = PostComment.objects.get(post=changed.post, request=changed)
    assert anchored.anchor_text == "淡斑" and anchored.author == legal
    # compliance: the drafts left with a finding show it; nothing else carries a blocking one
    claim = Post.objects.get(workspace=china, title="年度精华推荐（待修改）")
    assert claim.status == "draft"
    assert [f["rule"] for f in claim.compliance["findings"]] == ["adlaw.absolute_claim"]
    assert claim.compliance["blocking"]
    blocked = [p.title for p in Post.objects.exclude(pk=claim.pk) if p.compliance.get("blocking")]
    assert blocked == []
    # what the services recorded
    actions = set(AuditEvent.objects.filter(workspace=china).values_list("action", flat=True))
    assert {"post.create", "approval.submit", "approval.approve", "approval.request_changes"} <= actions
    assert {"post.schedule", "approval.auto_schedule", "approval_workflow.create"} <= actions


def test_seed_demo_reset_recreates_the_content():
    # given
    seed("--sim-url", NO_SIM)
    before = content_counts()
    old_ids = set(Post.objects.values_list("pk", flat=True))
    # when
    out, err = seed("--reset", "--sim-url", NO_SIM)
    # then
    assert not err, err
    after = content_counts()
    assert {k: after[k] for k in ("posts", "targets", "requests", "campaigns")} == {
        k: before[k] for k in ("posts", "targets", "requests", "campaigns")
    }
    assert not old_ids & set(Post.objects.values_list("pk", flat=True))
    assert "Demo data loaded." in out


def test_with_the_simulator_past_posts_are_published_there_and_some_are_due_in_minutes(platform_sim):
    # when
    started = timezone.now()
    out, err = seed("--sim-url", platform_sim.base_url)
    # then: every planned post, the simulator's ones included, reached its state
    assert not err, err
    for workspace in Workspace.objects.filter(organization__slug="lumiere"):
        plan = PLANS[workspace.slug]
        statuses = dict(Post.objects.filter(workspace=workspace).values_list("title", "status"))
        assert statuses == {p.title: FLOW_STATUS[p.flow] for p in plan.posts}
        soon = Post.objects.filter(
            workspace=workspace, title__in=[p.title for p in plan.posts if p.flow == "soon"]
        )
        assert soon.exists()
        assert all(started < p.scheduled_at <= started + timedelta(minutes=10) for p in soon)
    published = PostTarget.objects.filter(status="published")
    assert published.count() >= 10
    for target in published.select_related("account"):
        assert target.external_id or target.url
        # the attempt log: published, or accepted by an asynchronous platform and then polled
        assert PublishAttempt.objects.filter(target=target, outcome__in=["published", "pending"]).exists()
        assert target.post.scheduled_at < started
    # Our accounts' posts only: the demo's rival accounts (demo.competitors) have posts there too.
    ours = {(t.account.platform, t.account.external_id) for t in published}
    stored = sum(len(platform_sim.posts(platform, account=account)) for platform, account in ours)
    assert stored == published.count()
    assert "published" in out and "skipped" not in out


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 1, 1, 0, tzinfo=UTC),  # the first of the month
        datetime(2026, 3, 15, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 31, 15, 59, tzinfo=UTC),  # the month's last day, late in Shanghai
        datetime(2026, 2, 27, 12, 0, tzinfo=UTC),
    ],
)
def test_planned_times_follow_the_day_of_seeding(now):
    for plan in PLANS.values():
        tz = Workspace(timezone="Asia/Shanghai" if plan.slug == "china" else "Europe/Paris").tzinfo
        today = now.astimezone(tz).date()
        for spec in plan.posts:
            when = post_time(spec, tz=tz, now=now)
            day = when.astimezone(tz).date()
            if spec.window == "soon":
                assert now + timedelta(minutes=spec.at) < when <= now + timedelta(minutes=spec.at + 1)
            elif spec.window == "past":
                assert today - timedelta(days=31) <= day < today
            elif spec.window == "future":
                assert today < day <= today + timedelta(days=31)
            elif spec.window == "any":
                assert (day.year, day.month) == (today.year, today.month)
            else:
                assert day > today and (day.year, day.month) != (today.year, today.month)


def test_the_demo_has_a_xiaohongshu_note_with_images_and_topics_and_a_douyin_video_with_a_cover_frame():
    # when
    seed("--sim-url", NO_SIM)
    # then: a RED note with several images in order, its own title and topics
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    targets = PostTarget.objects.filter(workspace=china).select_related("account")
    note = next(t for t in targets if t.account.platform == "xiaohongshu" and t.options.get("topics"))
    assert note.media_links.count() >= 3 and note.options["title"]
    assert all(not topic.startswith("#") for topic in note.options["topics"])
    # and: a Douyin variant with the demo video and the frame chosen as its cover
    video = next(t for t in targets if t.account.platform == "douyin" and "cover_tsp" in t.options)
    (link,) = video.media_links.select_related("media")
    assert link.media.kind == "video" and 0 <= video.options["cover_tsp"] <= link.media.duration_seconds


def test_seed_demo_makes_this_quarters_budget_with_spend_in_cny_and_usd_once():
    from budgets import selectors
    from budgets.models import Budget, SpendEntry

    # when
    out, _err = seed()
    seed()
    # then: one budget per brand workspace, with lines; its spend adds up in CNY
    workspace = Workspace.objects.get(organization__slug="lumiere", slug="china")
    budget = Budget.objects.get(workspace=workspace)
    today = timezone.now().astimezone(workspace.tzinfo).date()
    assert budget.starts_on <= today <= budget.ends_on and budget.currency == workspace.currency
    assert budget.lines.count() == 6 and "spend entries" in out
    entries = SpendEntry.objects.filter(budget=budget)
    assert entries.filter(currency="CNY").exists()
    totals = selectors.budget_totals(budget)
    assert totals.unconverted == [] and totals.figures.actual > 0
    if entries.filter(currency="USD").exists():
        assert any(totals.converted[e.pk] != e.amount for e in entries.filter(currency="USD"))
    assert (
        Budget.objects.filter(workspace__organization__slug="lumiere").count()
        == Workspace.objects.filter(organization__slug="lumiere").count()
    )
    # and --reset takes the budgets along with the organizations
    seed("--reset")
    assert Budget.objects.filter(workspace__organization__slug="lumiere").count() >= 1


def test_seed_demo_sets_two_objectives_per_brand_workspace_once():
    from objectives.models import Objective
    from objectives.progress import objective_progress

    # when
    out, _err = seed()
    seed()
    # then
    workspaces = Workspace.objects.filter(organization__slug="lumiere")
    for workspace in workspaces:
        objectives = list(Objective.objects.filter(workspace=workspace))
        assert len(objectives) == 2 and {o.kpi for o in objectives} == {"views", "engagement_rate"}
        today = timezone.now().astimezone(workspace.tzinfo).date()
        assert all(o.starts_on <= today <= o.ends_on for o in objectives)
        assert all(objective_progress(o).days_elapsed >= 1 for o in objectives)
    assert "2 objectives" in out
