"""Demo content for a brand workspace (called by `seed_demo` after the demo's social accounts exist).

`seed_demo_content(workspace, simulator=...)` creates, once per workspace, what demo.content_plan plans
for it: a tag taxonomy, two campaigns (this month and the next), banned words, a few product images, the
approval workflow and policy (China), and 25-40 posts spread over the current month, in the workspace's
time zone, relative to the day it runs. Everything goes through the real services (content, approvals,
publishing), so versions, compliance findings, approval requests, decisions, comments, notifications
and audit events are the ones people would have made:

- drafts (one with an absolute claim, one with a banned word: their findings show), posts in review at
  each stage of the workflow (legal@demo.kawo.test has a queue), one with changes requested and an
  inline comment, approved posts scheduled for the coming days;
- with the platform simulator running (`simulator=True`): posts due a few minutes after seeding, which
  the worker and beat publish once `make run` starts them, and posts planned on past days of the month,
  published to the simulator by the pipeline's own publish step (`publishing.pipeline.publish_attempt`,
  after `post_publish_now`), so their links and attempt logs are real. A past post cannot be scheduled
  (`post_schedule` refuses past times), so its approved variants are moved to scheduled with
  `post_target_move` first; the pipeline then publishes them as "publish now". Without the simulator
  these posts are skipped: nothing pretends to have been published.

Running it again finds the workspace's content and creates nothing (`seed_demo --reset` starts over).
"""

from __future__ import annotations

import calendar
import io
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User, Workspace, WorkspaceMember
from approvals import services as approvals
from approvals.models import ApprovalRequest, RequestStatus
from channels_app.models import SocialAccount
from content import services
from content.models import MediaAsset, Post, Tag, TagGroup, TargetStatus
from core.errors import DomainError

from .content_plan import FLOW_STATUS, SIMULATOR_FLOWS, DemoPost, WorkspacePlan
from .plans import PLANS

# Platforms whose posts carry the post's image (the others are text posts).
MEDIA_PLATFORMS = frozenset({"wechat_oa", "douyin", "xiaohongshu", "wechat_channels", "instagram"})
# Where a post planned with `video` carries the demo video (0.5 s of H.264) instead.
VIDEO_PLATFORMS = frozenset({"douyin", "kuaishou", "wechat_channels"})
DEMO_VIDEO = Path(__file__).parent / "media" / "texture.mp4"
MANAGER_STAGE, LEGAL_STAGE, HQ_STAGE = 0, 1, 2
# An asynchronous platform's publish is asked about again this many seconds after it was sent, a few times.
ASYNC_POLL_AFTER, ASYNC_POLL_TRIES = 0.6, 3


@dataclass
class DemoContentResult:
    workspace: Workspace
    created: bool
    posts: int = 0
    in_review: int = 0
    scheduled: int = 0
    published: int = 0
    skipped: int = 0  # planned posts that need the simulator
    problems: list[str] = field(default_factory=list)  # posts that did not reach their planned state

    def summary(self) -> str:
        line = (
            f"{self.workspace.name}: {self.posts} posts, {self.in_review} awaiting review, "
            f"{self.scheduled} scheduled, {self.published} published"
        )
        if not self.created:
            line += " (content already present)"
        elif self.skipped:
            line += (
                f" (without the platform simulator, {self.skipped} planned posts that publish were skipped)"
            )
        return line + "."


def content_counts(result: DemoContentResult) -> DemoContentResult:
    posts = Post.objects.filter(workspace=result.workspace, deleted_at__isnull=True)
    result.posts = posts.count()
    result.scheduled = posts.filter(status=TargetStatus.SCHEDULED).count()
    result.published = posts.filter(status=TargetStatus.PUBLISHED).count()
    result.in_review = ApprovalRequest.objects.filter(
        workspace=result.workspace, status=RequestStatus.IN_PROGRESS, post__deleted_at__isnull=True
    ).count()
    return result


def has_content(workspace: Workspace, plan: WorkspacePlan) -> bool:
    return (
        Post.objects.filter(workspace=workspace).exists()
        or TagGroup.objects.filter(workspace=workspace, name=plan.pillar_group).exists()
    )


# --- when -------------------------------------------------------------------------------------------


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def post_time(spec: DemoPost, *, tz, now: datetime) -> datetime:
    """Where the post lands: a day of its window (by `spec.at`), at its wall-clock time in `tz`.

    past: the month's days before today (the last 7 days when the month is younger than 5 days);
    future: the days after today to the month's end (the next 7 days near the month's end);
    any: the whole month; next: the first two weeks of next month; soon: `at` minutes from now.
    """
    if spec.window == "soon":
        when = now + timedelta(minutes=spec.at)
        return when.replace(second=0, microsecond=0) + timedelta(minutes=1)
    today = now.astimezone(tz).date()
    month_start, month_end = today.replace(day=1), _month_end(today)
    one = timedelta(days=1)
    if spec.window == "past":
        start = month_start if (today - month_start).days >= 5 else today - 7 * one
        end = today - one
    elif spec.window == "future":
        start = today + one
        end = month_end if (month_end - today).days >= 5 else today + 7 * one
    elif spec.window == "any":
        start, end = month_start, month_end
    elif spec.window == "next":
        start = month_end + one
        end = start + 13 * one
    else:
        raise ValueError(f"unknown window {spec.window!r}")
    day = start + timedelta(days=round((end - start).days * spec.at))
    hour, minute = (int(part) for part in spec.time.split(":"))
    return datetime.combine(day, dtime(hour, minute), tzinfo=tz)


def _campaign_dates(campaign, *, today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    if campaign.month:
        first = _month_end(first) + timedelta(days=1)
    starts = first.replace(day=campaign.first_day)
    ends = starts + timedelta(days=campaign.days - 1) if campaign.days else _month_end(first)
    return starts, ends


# --- images -----------------------------------------------------------------------------------------


def demo_image(filename: str, label: str, colors: tuple[str, str]) -> SimpleUploadedFile:
    """A 1080x1350 product visual (JPEG): a bottle on a gradient, with the product's name."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 1080, 1350
    top, bottom = (Image.new("RGB", (width, height), c) for c in colors)
    image = Image.composite(bottom, top, Image.linear_gradient("L").resize((width, height)))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((400, 420, 680, 1000), radius=70, fill="#fffaf3", outline="#ffffff", width=6)
    draw.rounded_rectangle((470, 300, 610, 430), radius=18, fill="#2b2118")
    draw.rectangle((430, 640, 650, 760), fill=colors[1])
    try:
        big, small = ImageFont.load_default(size=64), ImageFont.load_default(size=34)
    except TypeError:  # Pillow without FreeType: the bitmap font
        big = small = ImageFont.load_default()
    draw.text((width / 2, 700), "L", font=big, fill="#fffaf3", anchor="mm")
    # (the built-in font has no accented capitals)
    draw.text((width / 2, 1120), "LUMIERE", font=big, fill="#fffaf3", anchor="mm")
    draw.text((width / 2, 1200), label, font=small, fill="#fffaf3", anchor="mm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(filename, out.getvalue(), content_type="image/jpeg")


# --- seeding ----------------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, workspace: Workspace, plan: WorkspacePlan, *, simulator: bool, now: datetime):
        self.workspace = workspace
        self.plan = plan
        self.simulator = simulator
        self.now = now
        self.tz = workspace.tzinfo
        users = {u.email: u for u in User.objects.filter(email__in=set(plan.people.values()))}
        missing = sorted(set(plan.people.values()) - set(users))
        if missing:
            raise ValueError(f"demo users missing: {', '.join(missing)}")
        self.people = {key: users[email] for key, email in plan.people.items()}
        self.setup_actor = self.people.get("admin") or self.people["manager"]
        self.result = DemoContentResult(workspace=workspace, created=True)
        self.accounts: dict[str, SocialAccount] = {}
        self.created: list[tuple[DemoPost, int]] = []
        self.pending: list[tuple[int, float]] = []  # (target id, when its publish answered "pending")
        for account in SocialAccount.objects.filter(
            workspace=workspace, disconnected_at__isnull=True
        ).order_by("id"):
            self.accounts.setdefault(account.platform, account)

    # --- setup ---

    def taxonomy(self) -> None:
        actor, workspace = self.setup_actor, self.workspace
        for word, severity, note in self.plan.banned_words:
            services.banned_word_create(
                actor=actor, workspace=workspace, word=word, severity=severity, note=note
            )
        self.tags: dict[str, Tag] = {}
        for group_name, tags, required in (
            (self.plan.pillar_group, self.plan.pillars, True),
            (self.plan.product_group, self.plan.products, False),
        ):
            group = services.tag_group_create(
                actor=actor, workspace=workspace, name=group_name, required=required, exclusive=True
            )
            for name, color in tags:
                self.tags[name] = services.tag_create(
                    actor=actor, workspace=workspace, group=group.pk, name=name, color=color
                )
        owner = WorkspaceMember.objects.filter(workspace=workspace, user=self.people["manager"]).first()
        today = self.now.astimezone(self.tz).date()
        self.campaigns = {}
        for key, campaign in self.plan.campaigns.items():
            starts_on, ends_on = _campaign_dates(campaign, today=today)
            self.campaigns[key] = services.campaign_create(
                actor=actor,
                workspace=workspace,
                name=campaign.name,
                starts_on=starts_on,
                ends_on=ends_on,
                objective=campaign.objective,
                owner=owner.pk if owner else None,
                color=campaign.color,
            )
        self.images: dict[str, MediaAsset] = {}
        for key, (filename, label, alt, colors) in self.plan.images.items():
            self.images[key] = services.media_upload(
                actor=actor, workspace=workspace, file=demo_image(filename, label, colors), alt_text=alt
            )

    def workflow(self) -> None:
        if not self.plan.workflow_name:
            return
        manager_stage, legal_stage, hq_stage = self.plan.stage_names
        workflow = approvals.workflow_create(
            actor=self.setup_actor,
            workspace=self.workspace,
            name=self.plan.workflow_name,
            restart_on_resubmit="same_stage",
            stages=[
                {"name": manager_stage, "approver_roles": ["manager"], "rule": "any", "sla_hours": 24},
                {
                    "name": legal_stage,
                    "approver_users": [self.people["legal"].pk],
                    # legal sees posts with its keywords, and every post with an advertising-law or
                    # disclosure finding whatever words it uses
                    "condition": {
                        "match": "any",
                        "keywords": list(self.plan.legal_keywords),
                        "finding_kinds": ["adlaw", "disclosure"],
                    },
                    "sla_hours": 48,
                    "escalate_to": self.people["admin"].pk,
                    "escalate_after_hours": 24,
                },
                {
                    "name": hq_stage,
                    "approver_emails": [self.plan.hq_email],
                    "condition": {
                        "tags": [self.tags[self.plan.pillars[1][0]].pk],
                        "campaigns": [self.campaigns["launch"].pk],
                    },
                    "sla_hours": 72,
                },
            ],
        )
        approvals.policy_rules_set(
            actor=self.setup_actor,
            workspace=self.workspace,
            rules=[{"scope": "all", "workflow": workflow.pk}],
        )

    # --- posts ---

    def posts(self) -> None:
        for spec in self.plan.posts:
            if spec.flow in SIMULATOR_FLOWS and not self.simulator:
                self.result.skipped += 1
                continue
            try:
                post = self._create(spec)
                if post is not None:
                    self.created.append((spec, post.pk))
                    self._advance(spec, post)
            except DomainError as error:
                self.result.problems.append(f"{spec.title}: {error.message}")

    def verify(self) -> None:
        """Each post should have reached its flow's status; the ones that did not are reported."""
        statuses = dict(
            Post.objects.filter(pk__in=[pk for _spec, pk in self.created]).values_list("pk", "status")
        )
        for spec, pk in self.created:
            if statuses[pk] != FLOW_STATUS[spec.flow]:
                self.result.problems.append(f"{spec.title}: {statuses[pk]}, planned {FLOW_STATUS[spec.flow]}")

    def _targets(self, spec: DemoPost, texts: dict[str, str] | None = None) -> list[dict] | None:
        targets = []
        for platform, text in spec.variants:
            account = self.accounts.get(platform)
            if account is None:
                self.result.problems.append(f"{spec.title}: no {platform} account")
                return None
            image = self.images.get(spec.image) if spec.image and platform in MEDIA_PLATFORMS else None
            media = [image.pk] if image else []
            if spec.gallery and platform == "xiaohongshu":
                media = [self.images[key].pk for key in spec.gallery]
            elif spec.video and platform in VIDEO_PLATFORMS:
                media = [self.demo_video().pk]
            target = {
                "account": account.pk,
                "text": (texts or {}).get(platform, text),
                "media": media,
                "options": dict(spec.options.get(platform, {})),
            }
            if platform == "wechat_oa" and spec.wechat_articles:
                # A push of 1 + len(wechat_articles) articles (content/services/wechat_push.py)
                target["options"].update(
                    {
                        "author": spec.wechat_author,
                        "cover_crop": "0_0.1_1_0.525532",
                        "articles": [
                            {**a, "cover": self.images[a["cover"]].pk, "open_comment": True}
                            for a in spec.wechat_articles
                        ],
                    }
                )
            targets.append(target)
        return targets

    def demo_video(self) -> MediaAsset:
        """The library's demo video, uploaded the first time a post needs it."""
        if getattr(self, "_video", None) is None:
            self._video = services.media_upload(
                actor=self.setup_actor,
                workspace=self.workspace,
                file=SimpleUploadedFile("texture.mp4", DEMO_VIDEO.read_bytes(), content_type="video/mp4"),
                alt_text="Texture close-up",
            )
        return self._video

    def _create(self, spec: DemoPost) -> Post | None:
        targets = self._targets(spec)
        if targets is None:
            return None
        author = self.people[spec.author]
        tags = [self.tags[name].pk for name in (spec.pillar, spec.product) if name]
        post = services.post_create(
            actor=author,
            workspace=self.workspace,
            targets=targets,
            title=spec.title,
            campaign=self.campaigns[spec.campaign].pk if spec.campaign else None,
            tags=tags,
            scheduled_at=post_time(spec, tz=self.tz, now=self.now),
            is_paid_or_kol=spec.paid,
        )
        if spec.edit:
            old, new = spec.edit
            texts = {platform: text.replace(old, new) for platform, text in spec.variants}
            post = services.post_update(
                actor=author, post=post, version=post.version, targets=self._targets(spec, texts)
            )
        if spec.note:
            approvals.comment_create(actor=self.people["manager"], post=post, body=spec.note)
        return post

    def _advance(self, spec: DemoPost, post: Post) -> None:
        flow = spec.flow
        if flow == "draft":
            return
        if not self.plan.workflow_name:
            if flow in ("scheduled", "soon"):
                services.post_schedule(actor=self.people["manager"], post=post)
            elif flow == "published":
                self._publish(post)
            else:
                self.result.problems.append(f"{spec.title}: {flow} needs an approval workflow")
            return
        request = approvals.approval_request_submit(actor=self.people[spec.author], post=post)
        if flow == "review":
            return
        stop = {"review_legal": LEGAL_STAGE, "changes": LEGAL_STAGE, "review_hq": HQ_STAGE}.get(flow)
        request, position = self._approve(request, stop_at=stop)
        if flow == "changes" and position == LEGAL_STAGE:
            legal = self.people["legal"]
            target = next((t for t in post.targets.order_by("id") if spec.anchor in t.text), None)
            if target is not None:  # the inline comment, on the phrase that must change
                start = target.text.index(spec.anchor)
                approvals.comment_create(
                    actor=legal,
                    post=post,
                    body=spec.anchor_comment,
                    target=target.pk,
                    anchor_start=start,
                    anchor_end=start + len(spec.anchor),
                    request=request,
                )
            approvals.approval_decide(
                actor=legal, request=request, decision="request_changes", comment=spec.review_comment
            )
        elif flow == "published" and request.status == RequestStatus.APPROVED:
            self._publish(post)
        # scheduled / soon: the workflow schedules the post when its last stage approves.

    def _approve(
        self, request: ApprovalRequest, *, stop_at: int | None
    ) -> tuple[ApprovalRequest, int | None]:
        """Decide on each stage in turn (manager, then legal when the stage runs) until `stop_at`, the
        external HQ stage, or the end. Returns the request and the position of its current stage."""
        deciders = {MANAGER_STAGE: self.people["manager"], LEGAL_STAGE: self.people["legal"]}
        while True:
            request = ApprovalRequest.objects.select_related("current_stage").get(pk=request.pk)
            position = request.current_stage.position if request.current_stage_id else None
            if position is None or position == stop_at or position not in deciders:
                return request, position
            approvals.approval_decide(actor=deciders[position], request=request, decision="approve")

    def _publish(self, post: Post) -> None:
        """Publish a post planned in the past through the pipeline's publish step (see the module
        docstring): its targets go to scheduled, "publish now" leases them, and each is published."""
        from publishing import pipeline
        from publishing.models import PublishJob
        from publishing.services import post_publish_now

        post = Post.objects.get(pk=post.pk)
        if (post.compliance or {}).get("blocking"):
            return
        for target in post.targets.exclude(status=TargetStatus.SCHEDULED).order_by("id"):
            services.post_target_move(actor=None, target=target, status=TargetStatus.SCHEDULED)
        # Published here and now: no task for a worker to find done later (a "stale" line in its log).
        with pipeline.publishing_inline():
            target_ids = post_publish_now(actor=self.people["manager"], post=post)
        for target_id in target_ids:
            attempt = PublishJob.objects.values_list("attempt_id", flat=True).get(target_id=target_id)
            if pipeline.publish_attempt(target_id, str(attempt)) == "pending":
                self.pending.append((target_id, time.monotonic()))

    def settle_pending(self) -> None:
        """Asynchronous platforms (WeChat's freepublish) answer "pending" first: ask each again once it
        had a moment (a few tries); what is still pending then is polled by the worker as usual."""
        from publishing import pipeline

        for target_id, published_at in self.pending:
            for attempt in range(ASYNC_POLL_TRIES):
                time.sleep(max(0.0, published_at + ASYNC_POLL_AFTER * (attempt + 1) - time.monotonic()))
                if pipeline.poll(target_id) != "pending":
                    break


def seed_demo_content(
    workspace: Workspace, *, simulator: bool, now: datetime | None = None
) -> DemoContentResult:
    """Create the workspace's demo content once (see the module docstring); returns what it holds."""
    plan = PLANS[workspace.slug]
    if has_content(workspace, plan):
        return content_counts(DemoContentResult(workspace=workspace, created=False))
    with transaction.atomic():
        seeder = _Seeder(workspace, plan, simulator=simulator, now=now or timezone.now())
        seeder.taxonomy()
        seeder.workflow()
        seeder.posts()
        seeder.settle_pending()
        seeder.verify()
        _read_settled_notices(workspace, now=seeder.now)
    return content_counts(seeder.result)


def _read_settled_notices(workspace: Workspace, *, now: datetime) -> None:
    """A seeded history leaves a notice for every step it went through (a "review needed" for each stage
    decided since, an "approved" for each post). The people would have read those: only what still asks
    something of them stays unread (a review still waiting for them, changes requested)."""
    from accounts.models import User
    from approvals.models import Notification, NotificationKind
    from approvals.selectors import requests_waiting_for

    unread = Notification.objects.filter(workspace=workspace, read_at__isnull=True)
    for user in User.objects.filter(pk__in=unread.values("recipient_id")):
        waiting = list(requests_waiting_for(user=user).values_list("post_id", flat=True))
        (
            unread.filter(recipient=user)
            .exclude(kind=NotificationKind.REVIEW_NEEDED, post_id__in=waiting)
            .exclude(kind=NotificationKind.CHANGES_REQUESTED)
            .update(read_at=now)
        )
