"""The WeChat article editor: one Official Account variant of a post as a push of up to 8 articles.

Article 1 is the variant itself (the post's title, the variant's text, its first image as cover and the
rest in its body); articles 2-8 live in the variant's options. The page edits them all in the browser
(static/js/wechat_editor.js: add, remove, reorder, covers from the library or an upload, cropping with
cropperjs at 2.35:1 for the first card and 1:1 for the others, a live phone preview) and saves through
the same post_update service as the API: a new version, approvals reset, the audit log. Errors come back
under the API's field names ("targets.0.options.articles.2.title") and are shown next to the field."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.connectors.wechat_oa import push
from core.errors import DomainError
from core.views import WorkspacePageMixin

from .. import services
from ..models import MediaAsset
from ..services.wechat_push import mass_send_quota, may_preview, service_type
from .common import _loaded_post

PUSH_OPTION_KEYS = (
    "author",
    "digest",
    "cover_crop",
    "original",
    "open_comment",
    "fans_only_comment",
    "delivery",
)


def _target_of(post, target_id: int):
    target = next((t for t in post.targets.all() if t.pk == target_id), None)
    if target is None or target.account.platform != "wechat_oa":
        raise Http404
    return target


def push_state(post, target) -> dict:
    """The editor's state: article 1 from the post and the variant, articles 2-8 from its options."""
    options = target.options or {}
    media = [link.media_id for link in target.media_links.all()]
    return {
        "title": post.title,
        "text": target.text,
        "cover": media[0] if media else None,
        "body_images": [
            {
                "media": m,
                "after": (options.get("image_after") or [])[i]
                if i < len(options.get("image_after") or [])
                else 0,
            }
            for i, m in enumerate(media[1:])
        ],
        "source_url": options.get("link") or "",
        **{
            key: options.get(key, "" if key in ("author", "digest", "cover_crop") else False)
            for key in PUSH_OPTION_KEYS
        },
        "delivery": options.get("delivery") or push.PUBLISH,
        "articles": options.get("articles") or [],
    }


def _library(workspace) -> list[dict]:
    return [
        {
            "id": a.pk,
            "url": a.file.url,
            "name": a.original_name,
            "alt": a.alt_text,
            "width": a.width,
            "height": a.height,
        }
        for a in MediaAsset.objects.filter(workspace=workspace, kind=MediaAsset.Kind.IMAGE).order_by("-id")[
            :200
        ]
    ]


def _targets_with(post, target, state: dict) -> list[dict]:
    """Every target of the post as post_update takes them, `target` replaced by the editor's state."""
    out = []
    for t in post.targets.all():
        item = {
            "account": t.account_id,
            "text": t.text,
            "first_comment": t.first_comment,
            "options": dict(t.options or {}),
            "media": [link.media_id for link in t.media_links.all()],
        }
        if t.pk == target.pk:
            options = {
                k: v
                for k, v in item["options"].items()
                if k not in (*PUSH_OPTION_KEYS, "articles", "image_after", "link")
            }
            for key in PUSH_OPTION_KEYS:
                if state.get(key) not in (None, "", False):
                    options[key] = state[key]
            images = [i for i in state.get("body_images") or [] if isinstance(i, dict)]
            if images:
                options["image_after"] = [i.get("after", 0) for i in images]
            if state.get("source_url"):
                options["link"] = state["source_url"]
            if state.get("articles"):
                options["articles"] = state["articles"]
            item.update(
                text=state.get("text") or "",
                options=options,
                media=[m for m in [state.get("cover"), *(i.get("media") for i in images)] if m is not None],
            )
        out.append(item)
    return out


class WeChatEditorPage(WorkspacePageMixin, TemplateView):
    template_name = "content/wechat_editor.html"
    required_capabilities = {"GET": C.POST_EDIT, "POST": C.POST_EDIT}

    def setup_objects(self):
        from ..models import PostTarget

        post_id = (
            PostTarget.objects.filter(workspace=self.workspace, pk=self.kwargs["variant_id"])
            .values_list("post_id", flat=True)
            .first()
        )
        if post_id is None:
            raise Http404
        self.post = _loaded_post(self.workspace, post_id)
        self.target = _target_of(self.post, self.kwargs["variant_id"])

    def get(self, request, *args, **kwargs):
        self.setup_objects()
        return self.render_to_response(
            self.get_context_data(state=push_state(self.post, self.target), errors={})
        )

    def post(self, request, *args, **kwargs):
        self.setup_objects()
        try:
            state = json.loads(request.POST.get("push") or "{}")
            if not isinstance(state, dict):
                raise ValueError
        except ValueError:
            messages.error(request, _("The editor sent something unreadable; reload the page."))
            return redirect(request.path)
        index = [t.pk for t in self.post.targets.all()].index(self.target.pk)
        try:
            services.post_update(
                actor=request.user,
                post=self.post,
                version=request.POST.get("version"),
                title=state.get("title") or "",
                targets=_targets_with(self.post, self.target, state),
            )
        except DomainError as error:
            errors = _editor_errors(error, index)
            messages.error(request, error.message)
            context = self.get_context_data(state=state, errors=errors)
            return self.render_to_response(context, status=400)
        messages.success(request, _("WeChat articles saved."))
        return redirect(reverse("content:wechat_editor", args=[self.workspace.pk, self.target.pk]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.target.account
        quota = mass_send_quota(account, self.post.scheduled_at or timezone.now(), excluding=self.target.pk)
        context.update(
            post=self.post,
            target=self.target,
            account=account,
            library=_library(self.workspace),
            limits={
                "articles": push.MAX_ARTICLES,
                "title": push.TITLE_LIMIT,
                "author": push.AUTHOR_LIMIT,
                "digest": push.DIGEST_LIMIT,
            },
            quota=quota,
            account_kind=service_type(account),
            may_preview=may_preview(account),
            media_api=reverse("media-list", args=[self.workspace.pk]),
        )
        return context


def _editor_errors(error: DomainError, index: int) -> dict[str, list[str]]:
    """The service's field errors as the editor's paths: "targets.<index>.options.articles.2.title" ->
    "articles.2.title", "targets.<index>.text" -> "text", "title" -> "title"; others under "" (top)."""
    out: dict[str, list[str]] = {}
    prefix = f"targets.{index}."
    for field, found in (error.fields or {"": [error.message]}).items():
        key = field or ""
        if key.startswith(prefix):
            key = key[len(prefix) :]
            key = key.removeprefix("options.")
            key = {"link": "source_url", "media": "cover"}.get(key, key)
        elif key not in ("title",):
            key = ""
        out.setdefault(key, []).extend(str(m) for m in found)
    return out
