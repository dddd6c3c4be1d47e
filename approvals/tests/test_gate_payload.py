"""The approval gate covers everything that is sent (issue: title, alt text, routing, compliance).

Acceptance 1: the fields are found by introspection of the connector payload (PostPayload and MediaItem),
not listed by hand: a field added to the payload fails `test_every_payload_field_has_an_edit` until an
edit for it is written here, and each edit, made after approval through the API and through the
dashboard, resets the approval and lets nothing reach the simulator until the post is approved again.
Acceptance 3 (routing) and 4 (the paid flag at the publish step, claims in titles and alt text) follow.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.gate import publish_gate
from approvals.models import ApprovalRequest, RequestStatus
from approvals.tests.factories import workflow_with
from channels_app.connectors.base import MediaItem, PostPayload
from content import services as content_services
from content.models import MediaAsset, Post, PostTarget
from content.models import TargetStatus as S
from content.payload import MEDIA_NOT_HASHED, NOT_HASHED, hashed_paths
from content.tests.factories import CampaignFactory
from core.errors import DomainError, PermissionRefused
from publishing import pipeline
from publishing.models import PublishAttempt, PublishJob
from publishing.tests.pipeline_kit import sim_account

pytestmark = pytest.mark.django_db


def png(color: str = "red", size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


def hashed_fields() -> set[str]:
    """Every payload field the approval hash covers, by introspection of the dataclasses at any depth
    (content.payload.hashed_paths): PostPayload's, each MediaItem's as "media.<name>". A WeChat push's
    articles ("articles.…") have their edits in test_gate_articles.py, generated per path."""
    return {p for p in hashed_paths() if not p.startswith("articles.")}


class Gated:
    """An approved Mastodon post of an agency-style editor, a manager stage for every post and an HQ
    stage for the HQ campaign, accounts on the simulator."""

    def __init__(self, platform_sim):
        self.sim = platform_sim
        self.ws = WorkspaceFactory()
        member = lambda role: WorkspaceMemberFactory(workspace=self.ws, role=role).user  # noqa: E731
        self.admin = member(Role.ADMIN)
        self.editor = member(Role.EDITOR)
        self.manager = member(Role.MANAGER)
        self.hq = member(Role.REVIEWER)
        self.hq_campaign = CampaignFactory(workspace=self.ws, name="HQ launch")
        self.workflow = workflow_with(
            self.admin,
            self.ws,
            [
                {"name": "Manager", "approver_users": [self.manager.pk]},
                {
                    "name": "HQ",
                    "approver_users": [self.hq.pk],
                    "condition": {"campaigns": [self.hq_campaign.pk]},
                },
            ],
        )
        self.account, self.sim_a = sim_account(platform_sim, self.ws, "mastodon")
        self.other, self.sim_b = sim_account(platform_sim, self.ws, "mastodon")
        self.image = content_services.media_upload(
            actor=self.editor,
            workspace=self.ws,
            file=_upload("photo.png", png("red")),
            alt_text="A red square",
        )
        self.post = content_services.post_create(
            actor=self.editor,
            workspace=self.ws,
            title="Autumn menu",
            targets=[
                {
                    "account": self.account.pk,
                    "text": "Our autumn menu is here",
                    "first_comment": "Book a table",
                    "options": {"visibility": "public"},
                    "media": [self.image.pk],
                }
            ],
            scheduled_at=timezone.now() + timedelta(days=2),
        )
        self.approve()

    def approve(self, *, deciders=None):
        post = Post.objects.get(pk=self.post.pk)
        request = services.approval_request_submit(actor=self.editor, post=post)
        for person in deciders or [self.manager]:
            request = ApprovalRequest.objects.get(pk=request.pk)
            services.approval_decide(actor=person, request=request, decision="approve")
        assert publish_gate(post).ok

    def copy_of_image(self, **changes) -> MediaAsset:
        """A library asset like the post's image but for `changes` (the same file on disk)."""
        fields = {
            f.name: getattr(self.image, f.name)
            for f in MediaAsset._meta.concrete_fields
            if f.name not in ("id", "created_at", "updated_at")
        }
        return MediaAsset.objects.create(**{**fields, **changes})

    def target(self) -> PostTarget:
        return PostTarget.objects.get(post_id=self.post.pk)

    def force_publish(self) -> str:
        """What the publish step does with each target, even one forced into "queued" behind the gate's
        back: lease it and run the attempt."""
        outcomes = []
        for target in PostTarget.objects.filter(post_id=self.post.pk):
            PostTarget.objects.filter(pk=target.pk).update(status=S.QUEUED)
            PublishJob.objects.get_or_create(target=target, workspace=self.ws)
            job = PublishJob.objects.get(target=target)
            attempt = pipeline._lease(job, timezone.now())
            outcomes.append(pipeline.publish_attempt(target.pk, attempt))
        return ",".join(outcomes)

    def stored(self) -> list[dict]:
        """The posts the simulator stored (not the first comments, which are replies to them)."""
        return [p for p in self.sim.posts("mastodon") if not p["extra"].get("in_reply_to_id")]

    def replies_to(self, status_id: str) -> list[str]:
        return [
            p["text"] for p in self.sim.posts("mastodon") if p["extra"].get("in_reply_to_id") == status_id
        ]


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def _api_targets(g: Gated, **change) -> list[dict]:
    target = g.target()
    item = {
        "account": target.account_id,
        "text": target.text,
        "first_comment": target.first_comment,
        "options": target.options,
        "media": [link.media_id for link in target.media_links.all()],
    }
    item.update(change)
    return [item]


def _api_patch_post(g: Gated, **body):
    api = APIClient()
    api.force_authenticate(g.editor)
    post = Post.objects.get(pk=g.post.pk)
    response = api.patch(
        f"/api/v1/workspaces/{g.ws.pk}/posts/{post.pk}/", {"version": post.version, **body}, format="json"
    )
    assert response.status_code == 200, response.content
    return response


def _api_swap_media(g: Gated, **asset_changes):
    _api_patch_post(g, targets=_api_targets(g, media=[g.copy_of_image(**asset_changes).pk]))


def _api_alt_text(g: Gated):
    # the library asset, the post untouched
    api = APIClient()
    api.force_authenticate(g.editor)
    response = api.patch(
        f"/api/v1/workspaces/{g.ws.pk}/media/{g.image.pk}/",
        {"alt_text": "100% guaranteed cure"},
        format="json",
    )
    assert response.status_code == 200, response.content


# One edit per hashed field, through the API (as the attacks did).
API_EDITS = {
    "text": lambda g: _api_patch_post(g, targets=_api_targets(g, text="UNAPPROVED text")),
    "title": lambda g: _api_patch_post(g, title="UNAPPROVED 国家级第一品牌"),
    "first_comment": lambda g: _api_patch_post(
        g, targets=_api_targets(g, first_comment="UNAPPROVED comment")
    ),
    "link": lambda g: _api_patch_post(
        g, targets=_api_targets(g, options={"visibility": "public", "link": "https://example.com/unapproved"})
    ),
    "options": lambda g: _api_patch_post(g, targets=_api_targets(g, options={"visibility": "direct"})),
    "account": lambda g: _api_patch_post(g, targets=_api_targets(g, account=g.other.pk)),
    "paid_or_kol": lambda g: _api_patch_post(g, is_paid_or_kol=True),
    "media.kind": lambda g: _api_swap_media(g, kind=MediaAsset.Kind.VIDEO, mime="video/mp4"),
    "media.filename": lambda g: _api_swap_media(g, original_name="other-name.png"),
    "media.content_type": lambda g: _api_swap_media(g, mime="image/gif"),
    "media.size": lambda g: _api_swap_media(g, size=g.image.size + 1),
    "media.checksum": lambda g: _api_swap_media(g, checksum="f" * 64),
    "media.alt_text": _api_alt_text,
}


def _dashboard_save(g: Gated, **form):
    client = Client()
    client.force_login(g.editor)
    post = Post.objects.get(pk=g.post.pk)
    target = g.target()
    data = {
        "title": post.title,
        "accounts": [target.account_id],
        "text": target.text,
        f"first_comment_{target.account_id}": target.first_comment,
        "media": [link.media_id for link in target.media_links.all()],
        "version": post.version,
        "action": "draft",
        **({"is_paid_or_kol": "on"} if post.is_paid_or_kol else {}),
        # the variant's platform settings as the composer shows them
        **{f"opt_{target.account_id}_{name}": value for name, value in target.options.items()},
    }
    data.update(form)
    response = client.post(reverse("content:composer_edit", args=[g.ws.pk, post.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def _dashboard_swap_media(g: Gated, **asset_changes):
    _dashboard_save(g, media=[g.copy_of_image(**asset_changes).pk])


def _dashboard_alt_text(g: Gated):
    _dashboard_save(g, **{f"alt_text_{g.image.pk}": "100% guaranteed cure"})


# The same edits through the composer. Fields the composer has no control for are named with the reason.
DASHBOARD_EDITS = {
    "text": lambda g: _dashboard_save(g, text="UNAPPROVED text"),
    "title": lambda g: _dashboard_save(g, title="UNAPPROVED 国家级第一品牌"),
    "first_comment": lambda g: _dashboard_save(g, **{f"first_comment_{g.account.pk}": "UNAPPROVED comment"}),
    "account": lambda g: _dashboard_save(g, accounts=[g.other.pk]),
    "paid_or_kol": lambda g: _dashboard_save(g, is_paid_or_kol="on"),
    "media.kind": lambda g: _dashboard_swap_media(g, kind=MediaAsset.Kind.VIDEO, mime="video/mp4"),
    "media.filename": lambda g: _dashboard_swap_media(g, original_name="other-name.png"),
    "media.content_type": lambda g: _dashboard_swap_media(g, mime="image/gif"),
    "media.size": lambda g: _dashboard_swap_media(g, size=g.image.size + 1),
    "media.checksum": lambda g: _dashboard_swap_media(g, checksum="f" * 64),
    "media.alt_text": _dashboard_alt_text,
    "options": lambda g: _dashboard_save(g, **{f"opt_{g.account.pk}_visibility": "direct"}),
    "link": lambda g: _dashboard_save(g, **{f"opt_{g.account.pk}_link": "https://example.com/unapproved"}),
}
NOT_IN_THE_COMPOSER: dict[str, str] = {}


def test_every_payload_field_has_an_edit():
    # A new PostPayload or MediaItem field fails here until it has an edit below (and so a test).
    assert set(API_EDITS) == hashed_fields()
    assert set(DASHBOARD_EDITS) | set(NOT_IN_THE_COMPOSER) == hashed_fields()
    # Every other path is an article's, each edited in test_gate_articles.py.
    from approvals.tests.test_gate_articles import ARTICLE_PATHS

    assert hashed_paths() - hashed_fields() == set(ARTICLE_PATHS) != set()
    # The exclusions name real fields, each with its reason.
    assert set(NOT_HASHED) <= {f.name for f in dataclasses.fields(PostPayload)}
    assert set(MEDIA_NOT_HASHED) <= {f.name for f in dataclasses.fields(MediaItem)}


def _assert_reset_and_nothing_sent(g: Gated):
    post = Post.objects.get(pk=g.post.pk)
    gate = publish_gate(post)
    assert not gate.ok and gate.reason in ("approval_outdated", "not_approved")
    assert {t.status for t in post.targets.all()} == {S.DRAFT}
    assert g.force_publish() == "not_approved"
    assert g.sim.posts("mastodon") == []


@pytest.mark.parametrize("field", sorted(API_EDITS))
def test_an_api_edit_of_any_sent_field_after_approval_resets_it(platform_sim, field):
    # given
    g = Gated(platform_sim)
    # when
    API_EDITS[field](g)
    # then
    _assert_reset_and_nothing_sent(g)


@pytest.mark.parametrize("field", sorted(DASHBOARD_EDITS))
def test_a_dashboard_edit_of_any_sent_field_after_approval_resets_it(platform_sim, field):
    # given
    g = Gated(platform_sim)
    # when
    DASHBOARD_EDITS[field](g)
    # then
    _assert_reset_and_nothing_sent(g)


def test_after_reapproval_the_platform_gets_exactly_the_approved_snapshot(platform_sim):
    # given: title and alt text changed after approval, then approved again
    g = Gated(platform_sim)
    _api_patch_post(g, title="Winter menu")
    api = APIClient()
    api.force_authenticate(g.editor)
    api.patch(
        f"/api/v1/workspaces/{g.ws.pk}/media/{g.image.pk}/", {"alt_text": "A warm red square"}, format="json"
    )
    assert not publish_gate(Post.objects.get(pk=g.post.pk)).ok
    g.approve()
    request = ApprovalRequest.objects.filter(post_id=g.post.pk, status=RequestStatus.APPROVED).latest("id")
    # when
    outcome = g.force_publish()
    # then: the simulator stored what the snapshot says, and the attempt log says what was sent
    assert outcome == "published"
    (approved,) = request.payload["targets"]
    (stored,) = g.stored()
    assert stored["text"] == approved["text"]
    assert g.replies_to(stored["id"]) == [approved["first_comment"]]
    assert [m["sha256"] for m in stored["media"]] == [m["checksum"] for m in approved["media"]]
    assert [m["extra"]["description"] for m in stored["media"]] == [m["alt_text"] for m in approved["media"]]
    attempt = PublishAttempt.objects.get(target__post_id=g.post.pk)
    sent = {k: v for k, v in attempt.request.items() if k in approved}
    assert sent == approved  # every hashed field, alt text and title included
    assert approved["title"] == "Winter menu" and approved["media"][0]["alt_text"] == "A warm red square"


def test_a_byte_identical_copy_with_other_alt_text_resets_the_approval(platform_sim):
    g = Gated(platform_sim)
    _api_swap_media(g, alt_text="100% guaranteed cure")
    _assert_reset_and_nothing_sent(g)


def test_alt_text_of_an_asset_being_published_cannot_change(platform_sim):
    # given: the post's target is claimed by the pipeline
    g = Gated(platform_sim)
    PostTarget.objects.filter(post_id=g.post.pk).update(status=S.QUEUED)
    api = APIClient()
    api.force_authenticate(g.editor)
    # when
    response = api.patch(
        f"/api/v1/workspaces/{g.ws.pk}/media/{g.image.pk}/", {"alt_text": "new"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert MediaAsset.objects.get(pk=g.image.pk).alt_text == "A red square"


def test_an_edit_of_a_claimed_post_is_a_409_and_changes_nothing(platform_sim):
    g = Gated(platform_sim)
    PostTarget.objects.filter(post_id=g.post.pk).update(status=S.QUEUED)
    api = APIClient()
    api.force_authenticate(g.editor)
    post = Post.objects.get(pk=g.post.pk)
    response = api.patch(
        f"/api/v1/workspaces/{g.ws.pk}/posts/{post.pk}/",
        {"version": post.version, "title": "UNAPPROVED"},
        format="json",
    )
    assert response.status_code == 409
    assert Post.objects.get(pk=post.pk).title == "Autumn menu"


# --- routing (acceptance 3) ------------------------------------------------------------------------


def test_a_campaign_change_after_approval_sends_the_post_to_hq_and_it_publishes_only_after_hq(platform_sim):
    # given: approved by the manager; no campaign, so HQ did not apply
    g = Gated(platform_sim)
    # when: the campaign that calls for HQ is set
    _api_patch_post(g, campaign=g.hq_campaign.pk)
    # then: the approval re-opened for HQ only, saying why
    post = Post.objects.get(pk=g.post.pk)
    request = ApprovalRequest.objects.get(post=post, status=RequestStatus.IN_PROGRESS)
    assert request.current_stage.stage_name == "HQ"
    assert request.routing["reopened"][-1]["why"] == ["campaign"]
    assert request.routing["reopened"][-1]["stages"] == ["HQ"]
    assert {t.status for t in post.targets.all()} == {S.IN_REVIEW}
    assert publish_gate(post).reason == "in_review"
    # and: the review page says why, in the reader's language
    reader = Client()
    reader.force_login(g.hq)
    reader.cookies["django_language"] = "zh-hans"
    html = reader.get(reverse("approvals:post_review", args=[g.ws.pk, post.pk])).content.decode()
    assert (
        'data-testid="reopened"' in html
        and "活动" in html
        and "campaign" not in html.split("reopened")[1][:200]
    )
    # when: HQ approves (the manager's decision stands)
    services.approval_decide(actor=g.hq, request=request, decision="approve")
    # then
    assert publish_gate(post).ok
    assert g.force_publish() == "published" and len(g.stored()) == 1


def test_a_policy_switch_after_approval_reopens_for_the_new_workflows_stages(platform_sim):
    # given
    g = Gated(platform_sim)
    legal = WorkspaceMemberFactory(workspace=g.ws, role=Role.REVIEWER).user
    other = workflow_with(
        g.admin, g.ws, [{"name": "Legal", "approver_users": [legal.pk]}], apply_to_all=False
    )
    # when
    services.policy_rules_set(actor=g.admin, workspace=g.ws, rules=[{"scope": "all", "workflow": other.pk}])
    # then
    post = Post.objects.get(pk=g.post.pk)
    request = ApprovalRequest.objects.get(post=post, status=RequestStatus.IN_PROGRESS)
    assert request.current_stage.stage_name == "Legal"
    assert "workflow" in request.routing["reopened"][-1]["why"]
    assert not publish_gate(post).ok


def test_the_gate_refuses_a_route_that_changed_behind_the_services_back(platform_sim):
    # given: approved; the campaign set by a raw UPDATE (no service, no re-route)
    g = Gated(platform_sim)
    Post.objects.filter(pk=g.post.pk).update(campaign=g.hq_campaign)
    # when
    outcome = g.force_publish()
    # then: refused at the publish step, and the approval re-opened for HQ
    assert outcome == "not_approved" and g.stored() == []
    request = ApprovalRequest.objects.get(post_id=g.post.pk, status=RequestStatus.IN_PROGRESS)
    assert request.current_stage.stage_name == "HQ"


# --- compliance at the publish step (acceptance 4) -------------------------------------------------


def test_the_paid_flag_set_after_approval_blocks_publication_with_disclosure_missing(platform_sim):
    # given: a workspace whose policy needs no approval; the post is scheduled
    g = Gated(platform_sim)
    services.policy_rules_set(actor=g.admin, workspace=g.ws, rules=[])
    post = Post.objects.get(pk=g.post.pk)
    content_services.post_schedule(actor=g.admin, post=post, override_warnings=True)
    # when: the paid flag is set behind the scheduling check
    Post.objects.filter(pk=post.pk).update(is_paid_or_kol=True)
    outcome = g.force_publish()
    # then
    assert outcome == "compliance" and g.stored() == []
    target = g.target()
    assert target.status == S.FAILED and "(disclosure.missing, text)" in target.error_message
    assert PublishJob.objects.get(target=target).reason == "compliance"


def test_the_paid_flag_set_after_approval_through_the_api_resets_the_approval(platform_sim):
    g = Gated(platform_sim)
    API_EDITS["paid_or_kol"](g)
    _assert_reset_and_nothing_sent(g)


@pytest.mark.parametrize("where", ["title", "alt_text", "text"])
def test_an_adlaw_term_in_the_title_or_alt_text_is_a_finding_like_one_in_the_text(platform_sim, where):
    # given
    g = Gated(platform_sim)
    post = Post.objects.get(pk=g.post.pk)
    claim = "国家级第一品牌"
    if where == "title":
        Post.objects.filter(pk=post.pk).update(title=claim)
    elif where == "alt_text":
        MediaAsset.objects.filter(pk=g.image.pk).update(alt_text=claim)
    else:
        PostTarget.objects.filter(post=post).update(text=claim)
    post = Post.objects.get(pk=post.pk)
    # when
    results = content_services.compliance_for_post(post)
    # then
    findings = [f for r in results for f in r["findings"] if f.rule == "adlaw.absolute_claim"]
    expected_field = {"title": "title", "alt_text": "media.0.alt_text", "text": "text"}[where]
    assert findings and all(f.blocking for f in findings)
    assert {f.field for f in findings} == {expected_field}


def test_an_admins_override_of_a_blocking_finding_covers_exactly_that_content(platform_sim):
    # given: no approval needed; a claim legal has cleared is in the title
    g = Gated(platform_sim)
    services.policy_rules_set(actor=g.admin, workspace=g.ws, rules=[])
    Post.objects.filter(pk=g.post.pk).update(title="国家级 award")
    post = Post.objects.get(pk=g.post.pk)
    with pytest.raises(DomainError):
        content_services.post_schedule(actor=g.admin, post=post, override_warnings=True)
    with pytest.raises(PermissionRefused):
        content_services.post_compliance_override(actor=g.editor, post=post, reason="cleared")
    # when: the admin records the override, with a reason
    content_services.post_compliance_override(
        actor=g.admin, post=post, reason="Legal cleared: the award's name"
    )
    content_services.post_schedule(actor=g.admin, post=Post.objects.get(pk=post.pk), override_warnings=True)
    # then: it goes out, and the override is void for any other content
    assert g.force_publish() == "published"
    other = Gated(platform_sim)
    services.policy_rules_set(actor=other.admin, workspace=other.ws, rules=[])
    Post.objects.filter(pk=other.post.pk).update(title="国家级 award")
    content_services.post_compliance_override(
        actor=other.admin, post=Post.objects.get(pk=other.post.pk), reason="cleared"
    )
    Post.objects.filter(pk=other.post.pk).update(title="国家级 award!")
    assert other.force_publish() == "compliance"
