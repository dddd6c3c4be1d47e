"""The review page's and the Approvals page's remaining actions, beside the API's: withdraw a request in
progress, publish without approval (with a reason), submit several drafts at once. Each calls the same
service as its API endpoint (`RequestCancelView`, `PostOverrideView`, `BatchSubmitView`); a refusal is a
message on the page, a missing reason a message next to its field (400) with nothing written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.roles import Capability as C
from core.errors import DomainError
from core.views import WorkspaceViewMixin

from . import selectors, services
from .views import PostReviewPage


class OverrideForm(forms.Form):
    """The API's OverrideInputSerializer, for the page: a reason is required, at most 500 characters."""

    reason = forms.CharField(
        label=gettext_lazy("Why may this go out without approval?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say why: the reason is kept in the audit log.")},
    )


def request_actions(access, current) -> dict:
    """What the review page offers around a request: withdraw it, or publish without approval."""
    in_progress = current is not None and current.status == "in_progress"
    return {
        "can_withdraw": in_progress and access.can(C.POST_EDIT),
        "can_override_approval": access.can(C.POST_PUBLISH_WITHOUT_APPROVAL),
        "override_form": OverrideForm(),
    }


class RequestWithdrawView(WorkspaceViewMixin, View):
    required_capabilities = {"POST": C.POST_EDIT}

    def post(self, request, workspace_id, post_id):
        current = selectors.requests_of(self.workspace).filter(post_id=post_id, status="in_progress").first()
        if current is None:
            raise Http404
        try:
            services.approval_request_cancel(actor=request.user, request=current)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Withdrawn: the post is a draft again."))
        return redirect("approvals:post_review", workspace_id=workspace_id, post_id=post_id)


class ApprovalOverridePage(PostReviewPage):
    """POST only: publish without approval, for exactly the post's current content."""

    http_method_names = ["post"]
    required_capabilities = {"POST": C.POST_PUBLISH_WITHOUT_APPROVAL}

    def post(self, request, workspace_id, post_id):
        post = self._post()
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                services.approval_override_create(
                    actor=request.user, post=post, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("Cleared for publishing without approval. Your reason is in the audit log.")
                )
            return redirect("approvals:post_review", workspace_id=workspace_id, post_id=post_id)
        context = self.get_context_data()
        context["override_form"] = form
        context["override_open"] = True
        return self.render_to_response(context, status=400)


class BatchSubmitPageView(WorkspaceViewMixin, View):
    """Submit the drafts ticked on the Approvals page as one batch (one request per post)."""

    required_capabilities = {"POST": C.POST_EDIT}

    def post(self, request, workspace_id):
        ids = [int(i) for i in request.POST.getlist("posts") if i.isdigit()]
        here = redirect("dashboard:approvals", workspace_id)
        try:
            batch = services.approval_batch_submit(
                actor=request.user, workspace=self.workspace, posts=ids, note=request.POST.get("note", "")
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            count = batch.requests.count()
            messages.success(request, _("%(count)d posts submitted for approval.") % {"count": count})
        return here
