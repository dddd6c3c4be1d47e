"""The approval gate covers every field of every article of a WeChat push, by construction.

The paths come from the payload's dataclasses (content.payload.hashed_paths: Article, BodyImage and the
MediaItems in them); each is edited after approval through the API, generically by the field's type
(a text grows, a flag flips, a position moves, a file is swapped for a copy that differs only in that
field, an alt text changes in the library). Every edit resets the approval and nothing is published.
Compliance reads every text a reader sees in every article (derived from the dataclass too)."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.gate import publish_gate
from approvals.models import ApprovalRequest
from approvals.tests.factories import workflow_with
from channels_app.connectors.base import Article, BodyImage, MediaItem
from content import services as content_services
from content.models import BannedWord, MediaAsset, Post, PostTarget
from content.models import TargetStatus as S
from content.payload import hashed_paths, reader_texts
from publishing import pipeline
from publishing.models import PublishJob
from publishing.tests.pipeline_kit import sim_account

from .test_gate_payload import png

pytestmark = pytest.mark.django_db

ARTICLE_PATHS = sorted(p for p in hashed_paths() if p.startswith("articles."))
EDITED = 1  # articles[1]: "Article 3"


def _upload(ws, user, name: str, color: str, alt: str = "") -> MediaAsset:
    file = SimpleUploadedFile(name, png(color), content_type="image/png")
    return content_services.media_upload(actor=user, workspace=ws, file=file, alt_text=alt)


class WeChatPush:
    """An approved 3-article WeChat push (articles 2 and 3 with covers and a body image each)."""

    def __init__(self, platform_sim):
        self.sim = platform_sim
        self.ws = WorkspaceFactory()
        member = lambda role: WorkspaceMemberFactory(workspace=self.ws, role=role).user  # noqa: E731
        self.admin, self.editor, self.manager = member(Role.ADMIN), member(Role.EDITOR), member(Role.MANAGER)
        workflow_with(self.admin, self.ws, [{"name": "Manager", "approver_users": [self.manager.pk]}])
        self.account, _sim = sim_account(platform_sim, self.ws, "wechat_oa")
        self.cover1 = _upload(self.ws, self.editor, "cover1.png", "red", "Red")
        self.assets = [
            _upload(self.ws, self.editor, f"a{i}.png", color, f"Image {i}")
            for i, color in enumerate(["blue", "green", "yellow", "white"])
        ]
        self.articles = [
            {
                "title": f"Article {n + 2}",
                "body": f"Body of article {n + 2}\nSecond paragraph",
                "author": "Li",
                "digest": "A digest",
                "cover": self.assets[2 * n].pk,
                "cover_crop": "0.1_0_0.9_1",
                "images": [{"media": self.assets[2 * n + 1].pk, "after": 1}],
                "original": False,
                "source_url": "https://example.com/a",
                "open_comment": False,
                "fans_only_comment": False,
            }
            for n in range(2)
        ]
        self.post = content_services.post_create(
            actor=self.editor,
            workspace=self.ws,
            title="Spring push",
            targets=[self.target(articles=self.articles)],
        )
        self.approve()

    def target(self, **options) -> dict:
        return {
            "account": self.account.pk,
            "text": "Article one body",
            "media": [self.cover1.pk],
            "options": {"author": "Brand", "cover_crop": "0_0_1_0.425532", **options},
        }

    def approve(self):
        post = Post.objects.get(pk=self.post.pk)
        request = services.approval_request_submit(actor=self.editor, post=post)
        services.approval_decide(actor=self.manager, request=request, decision="approve")
        assert publish_gate(Post.objects.get(pk=self.post.pk)).ok

    def api(self) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.editor)
        return client

    def patch_articles(self, articles: list[dict]):
        post = Post.objects.get(pk=self.post.pk)
        response = self.api().patch(
            f"/api/v1/workspaces/{self.ws.pk}/posts/{post.pk}/",
            {"version": post.version, "targets": [self.target(articles=articles)]},
            format="json",
        )
        assert response.status_code == 200, response.content
        return response

    def copy_of(self, asset: MediaAsset, **changes) -> MediaAsset:
        fields = {
            f.name: getattr(asset, f.name)
            for f in MediaAsset._meta.concrete_fields
            if f.name not in ("id", "created_at", "updated_at")
        }
        return MediaAsset.objects.create(**{**fields, **changes})


MEDIA_CHANGES = {
    "kind": lambda a: {"kind": MediaAsset.Kind.VIDEO, "mime": "video/mp4"},
    "filename": lambda a: {"original_name": "other.png"},
    "content_type": lambda a: {"mime": "image/gif"},
    "size": lambda a: {"size": a.size + 1},
    "checksum": lambda a: {"checksum": "f" * 64},
}


def edit(g: WeChatPush, path: str) -> None:
    """Change the field `path` names ("articles.images.media.alt_text") of article 3, by its type."""
    articles = copy.deepcopy(g.articles)
    article = articles[EDITED]
    steps = path.split(".")[1:]
    if steps[0] == "images":
        holder, steps = article["images"][0], steps[1:]
    else:
        holder = article
    if steps[0] in ("cover", "media"):
        asset = MediaAsset.objects.get(pk=holder[steps[0]])
        if steps[1] == "alt_text":  # the library's asset, the post untouched
            response = g.api().patch(
                f"/api/v1/workspaces/{g.ws.pk}/media/{asset.pk}/", {"alt_text": "Changed"}, format="json"
            )
            assert response.status_code == 200, response.content
            return
        # kind: the copy is a video, which the service refuses for a cover: swap behind its back
        if steps[1] == "kind":
            MediaAsset.objects.filter(pk=asset.pk).update(**MEDIA_CHANGES["kind"](asset))
            return
        holder[steps[0]] = g.copy_of(asset, **MEDIA_CHANGES[steps[1]](asset)).pk
    else:
        value = holder[steps[0]]
        if isinstance(value, bool):
            holder[steps[0]] = not value
        elif isinstance(value, int):
            holder[steps[0]] = value + 1
        elif steps[0] == "cover_crop":
            holder[steps[0]] = "0_0_0.5_0.5"
        elif steps[0] == "source_url":
            holder[steps[0]] = "https://example.com/other"
        else:
            holder[steps[0]] = value[:3] + "!"
    g.patch_articles(articles)


def test_every_article_path_is_found_in_the_dataclasses():
    # The walk reaches nested covers and body images: a field added to Article, BodyImage or MediaItem
    # shows up here (and so in the parametrised test below) without anyone listing it.
    article_fields = {f.name for f in dataclasses.fields(Article)}
    assert {p.split(".")[1] for p in ARTICLE_PATHS} == article_fields
    assert {p for p in ARTICLE_PATHS if p.startswith("articles.images.")} >= {
        f"articles.images.{f.name}" for f in dataclasses.fields(BodyImage) if f.name != "media"
    }
    assert "articles.cover.checksum" in ARTICLE_PATHS and "articles.images.media.alt_text" in ARTICLE_PATHS


@pytest.mark.parametrize("path", ARTICLE_PATHS)
def test_an_edit_of_any_field_of_any_article_after_approval_resets_it(platform_sim, path):
    # given
    g = WeChatPush(platform_sim)
    # when
    edit(g, path)
    # then: the approval no longer holds, and the publish step refuses the target
    post = Post.objects.get(pk=g.post.pk)
    gate = publish_gate(post)
    assert not gate.ok and gate.reason in ("approval_outdated", "not_approved")
    target = PostTarget.objects.get(post=post)
    PostTarget.objects.filter(pk=target.pk).update(status=S.QUEUED)
    PublishJob.objects.get_or_create(target=target, workspace=g.ws)
    attempt = pipeline._lease(PublishJob.objects.get(target=target), post.updated_at)
    assert pipeline.publish_attempt(target.pk, attempt) == "not_approved"
    assert g.sim.posts("wechat_oa") == []


def test_the_review_page_names_the_article_and_field_that_changed(platform_sim):
    g = WeChatPush(platform_sim)
    edit(g, "articles.title")
    request = ApprovalRequest.objects.filter(post_id=g.post.pk).latest("id")
    from approvals.change_labels import labelled
    from content.payload import payload_diff, publishable

    changes = payload_diff(request.payload, publishable(Post.objects.get(pk=g.post.pk)))
    with translation.override("en"):
        labels = [c["label"] for c in labelled(changes, {g.account.pk: "@brand"})]
    assert labels == ["@brand · Article 3 · Title"]


def _sample_article() -> Article:
    item = MediaItem(kind="image", filename="x.png", content_type="image/png", size=1, alt_text="alt")
    return Article(title="t", cover=item, images=(BodyImage(media=item),))


READER_PATHS = [path for path, _text in reader_texts(_sample_article(), f"articles.{EDITED}")]


def test_the_reader_texts_come_from_the_dataclass():
    assert {p.split(".")[2] for p in READER_PATHS} == {
        f.name for f in dataclasses.fields(Article) if f.type in ("str", str) and f.name != "cover_crop"
    } | {"cover", "images"}
    assert f"articles.{EDITED}.cover.alt_text" in READER_PATHS
    assert f"articles.{EDITED}.images.0.media.alt_text" in READER_PATHS


@pytest.mark.parametrize("path", READER_PATHS)
def test_a_banned_word_in_any_text_of_any_article_is_a_finding_naming_article_and_field(platform_sim, path):
    # given: a banned word planted in that one text
    g = WeChatPush(platform_sim)
    BannedWord.objects.create(workspace=g.ws, word="禁词", severity="blocking")
    articles = copy.deepcopy(g.articles)
    steps = path.split(".")[2:]
    if steps[0] == "source_url":
        articles[EDITED]["source_url"] = "https://example.com/禁词"
    elif steps[-1] == "alt_text":
        asset_id = (
            articles[EDITED]["cover"] if steps[0] == "cover" else articles[EDITED]["images"][0]["media"]
        )
        MediaAsset.objects.filter(pk=asset_id).update(alt_text="with 禁词 inside")
    else:
        articles[EDITED][steps[0]] = "禁词"
    g.patch_articles(articles)
    # when
    results = content_services.compliance_for_post(Post.objects.get(pk=g.post.pk))
    # then
    findings = [f for r in results for f in r["findings"] if f.rule == "banned_word"]
    assert [f.field for f in findings] == [path]
    with translation.override("en"):
        located = content_services._located(results[0], findings[0])
    assert located.startswith("Article 3 · ") and "@" in located
