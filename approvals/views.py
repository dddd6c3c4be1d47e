"""Dashboard pages for approvals: the reviewer's queue in a workspace (with bulk approve), and the
external reviewer's page behind a signed link (no account; email code first; decisions under the email).

Both call the same services as the API. A spoiled link (tampered, expired, revoked) renders a clear
refusal with status 403 and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError
from dashboard.views import WorkspacePageMixin

from . import links, selectors, services

SESSION_KEY = "approvals.review_sessions"  # link id -> review session token, in the Django session


class ReviewQueuePage(WorkspacePageMixin, TemplateView):
    """Waiting for me (in this workspace) and everything in review; bulk approve of low-risk posts."""

    template_name = "approvals/queue.html"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.APPROVAL_DECIDE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        waiting = list(
            selectors.requests_waiting_for(user=self.request.user).filter(workspace=self.workspace)
        )
        in_review = list(
            selectors.requests_of(self.workspace).filter(status="in_progress").order_by("-id")[:100]
        )
        context.update(waiting=waiting, in_review=in_review, can_decide=self.access.can(C.APPROVAL_DECIDE))
        return context

    def post(self, request, workspace_id):
        ids = [int(i) for i in request.POST.getlist("requests") if i.isdigit()]
        if not ids:
            messages.error(request, _("Choose at least one post."))
            return redirect("dashboard:approvals", workspace_id)
        results = services.approval_bulk_approve(actor=request.user, request_ids=ids)
        done = sum(1 for r in results if r["ok"])
        if done:
            messages.success(request, _("%(count)s post(s) approved.") % {"count": done})
        for result in results:
            if not result["ok"]:
                messages.warning(request, result["message"])
        return redirect("dashboard:approvals", workspace_id)


class ExternalReviewPage(View):
    """GET the page; POST action=send_code | verify | decide | comment."""

    template_name = "approvals/external_review.html"

    def _sessions(self, request) -> dict:
        return request.session.get(SESSION_KEY, {})

    def _verified(self, request, link) -> bool:
        return links.review_session_valid(link, self._sessions(request).get(str(link.pk), ""))

    def _refused(self, request, error):
        return render(request, "approvals/external_refused.html", {"error": error}, status=403)

    def get(self, request, token):
        try:
            link = links.link_resolve(token)
        except links.LinkRefused as error:
            return self._refused(request, error)
        view = links.external_view(link, verified=self._verified(request, link))
        return render(request, self.template_name, {"review": view, "token": token})

    def post(self, request, token):
        try:
            link = links.link_resolve(token)
        except links.LinkRefused as error:
            return self._refused(request, error)
        action = request.POST.get("action")
        try:
            if action == "send_code":
                links.link_code_send(token)
                messages.info(request, _("We sent a code to %(email)s.") % {"email": link.email})
            elif action == "verify":
                link = links.link_code_verify(token, request.POST.get("code", ""))
                sessions = self._sessions(request)
                sessions[str(link.pk)] = links.review_session_issue(link)
                request.session[SESSION_KEY] = sessions
            elif action == "decide":
                links.link_decide(
                    token=token,
                    verified=self._verified(request, link),
                    request_id=request.POST.get("request", "0") or 0,
                    decision=request.POST.get("decision", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("Thank you: your decision is recorded."))
            elif action == "comment":
                links.link_comment(
                    token=token,
                    verified=self._verified(request, link),
                    request_id=request.POST.get("request", "0") or 0,
                    body=request.POST.get("body", ""),
                )
                messages.success(request, _("Your comment is saved."))
        except links.LinkRefused as error:
            return self._refused(request, error)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("approvals:external_review", token=token)
