"""Dashboard side of the publish pipeline: the post page's buttons (publish now, retry, cancel, confirm an
assisted post) and the person's notifications page (approvals' and publishing's notices together).

Thin views: each button calls one service of publishing.services and comes back to the post page with
the service's message (a refusal, e.g. "retry" while the outcome is unknown, shows its reason).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from approvals import selectors as approval_selectors
from approvals import services as approval_services
from content.models import MediaAsset, Post, PostTarget
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error

from . import selectors, services
from .forms import AssistedConfirmForm
from .models import PublishJob, PublishNotification

NOTIFICATIONS_SHOWN = 50  # of each kind, newest first


class _PublishActionView(WorkspaceViewMixin, View):
    """A button on the post page: call one service, come back to the post with its message."""

    def post(self, request, workspace_id, **kwargs):
        obj = self.get_object(**kwargs)
        post_id = obj.pk if isinstance(obj, Post) else obj.post_id
        try:
            message = self.act(obj)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect("content:post_detail", workspace_id, post_id)

    def get_object(self, **kwargs):
        return get_object_or_404(
            PostTarget.objects.select_related("post"),
            workspace=self.workspace,
            pk=kwargs["target_id"],
            post__deleted_at__isnull=True,
        )


class WeChatPreviewView(WorkspaceViewMixin, View):
    """ "Send a preview to a phone" on the WeChat editor and on the review page: one service
    (publishing.wechat_preview), then back to the page it came from."""

    # Any member who may read the post reaches the service, which asks for writing or deciding.
    required_capabilities = {"POST": C.POST_VIEW}

    def post(self, request, workspace_id, target_id):
        from django.utils.http import url_has_allowed_host_and_scheme

        from .wechat_preview import wechat_preview_send

        target = get_object_or_404(
            PostTarget.objects.select_related("post", "post__workspace"),
            workspace=self.workspace,
            pk=target_id,
            post__deleted_at__isnull=True,
        )
        wechat_id = request.POST.get("wechat_id", "")
        try:
            wechat_preview_send(
                actor=request.user, post=target.post, target_id=target.pk, wechat_id=wechat_id
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Preview sent to %(wechat_id)s's phone.") % {"wechat_id": wechat_id.strip()}
            )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return redirect(back or "content:post_detail", *([] if back else [workspace_id, target.post_id]))


class PostPublishNowView(_PublishActionView):
    required_capabilities = {"POST": C.POST_PUBLISH_NOW}

    def get_object(self, **kwargs):
        return get_object_or_404(
            Post, workspace=self.workspace, pk=kwargs["post_id"], deleted_at__isnull=True
        )

    def act(self, post):
        queued = services.post_publish_now(actor=self.request.user, post=post)
        return _("Publishing now: %(count)s account(s) queued.") % {"count": len(queued)}


class TargetRetryView(_PublishActionView):
    required_capabilities = {"POST": C.POST_PUBLISH_NOW}

    def act(self, target):
        services.target_retry(actor=self.request.user, target=target)
        return _("Trying again now.")


class TargetCancelView(_PublishActionView):
    required_capabilities = {"POST": C.POST_SCHEDULE}

    def act(self, target):
        services.target_cancel(actor=self.request.user, target=target)
        return _("Cancelled on this account.")


class TargetConfirmView(_PublishActionView):
    """An assisted post was published by hand: its live URL. The service decides who may (the account's
    responsible person, or someone who may schedule)."""

    required_capabilities = {"POST": C.POST_VIEW}

    def act(self, target):
        if not services.assisted_may_confirm(actor=self.request.user, target=target):
            raise PermissionDenied
        services.assisted_confirm(
            actor=self.request.user, target=target, url=self.request.POST.get("url", "")
        )
        return _("Marked as published.")


def _cover_image(target, options: dict):
    """The library image a variant names as its cover (`options["cover"]`), if it is still there."""
    cover = options.get("cover")
    if not isinstance(cover, int):
        return None
    return MediaAsset.objects.filter(workspace_id=target.workspace_id, pk=cover).first()


class AssistedTaskView(WorkspacePageMixin, TemplateView):
    """An assisted post as a task on the phone: the account, the due time, each piece of text with its
    copy button, each image to save, and the form that confirms it with its live link (the same service
    as the post page's confirm button and the API)."""

    template_name = "publishing/assisted_task.html"
    # Whoever can see posts opens it; confirming is for the account's responsible person or a scheduler
    # (services.assisted_may_confirm), so an editor named responsible for RED can do their hand-off.
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_VIEW}

    def get_target(self) -> PostTarget:
        return get_object_or_404(
            PostTarget.objects.select_related("post", "account"),
            workspace=self.workspace,
            pk=self.kwargs["target_id"],
            post__deleted_at__isnull=True,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = kwargs.get("target") or self.get_target()
        job = PublishJob.objects.filter(target_id=target.pk).first()
        options = target.options or {}
        topics = options.get("topics") or []
        if isinstance(topics, str):
            topics = [topics]
        topics = [f"#{str(t).strip().lstrip('#')}" for t in topics if str(t).strip().lstrip("#")]
        media = [link.media for link in target.media_links.select_related("media").order_by("position")]
        video = next((m for m in media if m.kind == "video"), None)
        cover_at = options.get("cover_tsp")
        context.update(
            target=target,
            job=job,
            due=(job.due_at if job else None) or target.post.scheduled_at,
            confirm_by=job.lease_expires_at if job and job.kind == PublishJob.Kind.ASSISTED else None,
            waiting=bool(job and job.kind == PublishJob.Kind.ASSISTED and target.status == "publishing"),
            may_confirm=services.assisted_may_confirm(actor=self.request.user, target=target),
            # The variant's own title where it has one (a note's, a short title), else the post's.
            title=str(options.get("title") or target.post.title),
            topics=" ".join(topics),
            topic_list=topics,
            # The text as the app shows it: the topics after the body (Xiaohongshu's own layout).
            text=f"{target.text}\n\n{' '.join(topics)}"
            if topics and target.text.strip()
            else target.text or " ".join(topics),
            media=media,
            cover_at=cover_at if isinstance(cover_at, (int, float)) else None,
            cover_video=video,
            cover_image=_cover_image(target, options),
            form=kwargs.get("form") or AssistedConfirmForm(),
        )
        return context

    def post(self, request, workspace_id, target_id):
        target = self.get_target()
        if not services.assisted_may_confirm(actor=request.user, target=target):
            raise PermissionDenied
        form = AssistedConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.assisted_confirm(actor=request.user, target=target, url=form.cleaned_data["url"])
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Marked as published."))
                return redirect("publishing:assisted_task", workspace_id, target_id)
        return self.render_to_response(self.get_context_data(target=target, form=form), status=400)


class NotificationsView(LoginRequiredMixin, TemplateView):
    """The person's notices from every workspace: publishing's and approvals', unread ones marked."""

    template_name = "publishing/notifications.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        items = [
            {
                "kind": "publishing",
                "id": n.pk,
                "label": n.get_kind_display(),
                "message": n.message,
                "workspace": n.workspace,
                "post_id": n.target.post_id,
                "task_target_id": n.target_id if n.kind == PublishNotification.Kind.ASSISTED_DUE else None,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in selectors.publish_notifications_for(user=user)[:NOTIFICATIONS_SHOWN]
        ]
        items += [
            {
                "kind": "approvals",
                "id": n.pk,
                "label": n.get_kind_display(),
                "message": n.message,
                "workspace": n.workspace,
                "post_id": n.post_id,
                "link": n.link,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in approval_selectors.notifications_for(user=user)[:NOTIFICATIONS_SHOWN]
        ]
        items.sort(key=lambda item: item["created_at"], reverse=True)
        context.update(items=items, unread=sum(1 for item in items if not item["read"]))
        return context


class NotificationsReadView(LoginRequiredMixin, View):
    """POST: mark one notice read (`kind` and `id`), or all of the person's notices (no id)."""

    def post(self, request):
        kind, raw_id = request.POST.get("kind", ""), request.POST.get("id", "")
        if raw_id.isdigit():
            ids = [int(raw_id)]
            if kind == "publishing":
                services.publish_notifications_mark_read(actor=request.user, ids=ids)
            elif kind == "approvals":
                approval_services.notifications_mark_read(actor=request.user, ids=ids)
        else:
            services.publish_notifications_mark_read(actor=request.user)
            approval_services.notifications_mark_read(actor=request.user)
            messages.success(request, _("All notifications marked as read."))
        return redirect("publishing:notifications")
