"""The demo's posts due "in a few minutes", made again on every `make run`.

`seed_demo` creates the demo's content once; its posts due a few minutes after seeding (the plan's
"soon" window) show the worker and beat publishing. A later `make run` finds the content already there,
and those posts long published: so on every start each "soon" post of the plan is made again, through
the same services (created, approved through the workflow, scheduled), due a few minutes from now,
unless one with its title is still waiting for its time. Earlier copies stay as the published history.
Only with the platform simulator (without it these posts are skipped, as on the first seed).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Workspace
from content.models import Campaign, MediaAsset, Post, Tag, TargetStatus
from core.errors import DomainError

from .content import _Seeder
from .plans import PLANS

DEMO_VIDEO_ALT = "Texture close-up"


def redate_due_posts(workspace: Workspace, *, simulator: bool, now: datetime | None = None) -> list[str]:
    """Make the plan's "soon" posts again, due minutes after `now`; returns the titles made."""
    plan = PLANS.get(workspace.slug)
    if plan is None or not simulator:
        return []
    now = now or timezone.now()
    made: list[str] = []
    with transaction.atomic():
        seeder = _Seeder(workspace, plan, simulator=True, now=now)
        seeder.tags = {tag.name: tag for tag in Tag.objects.filter(workspace=workspace)}
        seeder.campaigns = {
            key: Campaign.objects.filter(workspace=workspace, name=campaign.name).order_by("-id").first()
            for key, campaign in plan.campaigns.items()
        }
        seeder.images = {
            key: MediaAsset.objects.filter(workspace=workspace, alt_text=alt).order_by("id").first()
            for key, (_filename, _label, alt, _colors) in plan.images.items()
        }
        video = MediaAsset.objects.filter(workspace=workspace, alt_text=DEMO_VIDEO_ALT).order_by("id").first()
        if video is not None:
            seeder._video = video
        for spec in plan.posts:
            if spec.window != "soon" or (spec.campaign and seeder.campaigns.get(spec.campaign) is None):
                continue
            waiting = Post.objects.filter(
                workspace=workspace,
                title=spec.title,
                deleted_at__isnull=True,
                status=TargetStatus.SCHEDULED,
                scheduled_at__gt=now,
            ).exists()
            if waiting:
                continue
            try:
                with transaction.atomic():
                    post = seeder._create(spec)
                    if post is not None:
                        seeder._advance(spec, post)
                        made.append(spec.title)
            except DomainError as error:
                seeder.result.problems.append(f"{spec.title}: {error.message}")
    return made
