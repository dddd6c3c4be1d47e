"""Dashboard pages for approvals: the reviewer's queue in a workspace (with bulk approve), and the
external reviewer's page behind a signed link (no account; email code first; decisions under the email).

Both call the same services as the API. A spoiled link (tampered, expired, revoked) renders a clear
refusal with status 403 and writes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError, PermissionRefused, ValidationFailed
from core.views import WorkspacePageMixin, apply_domain_error

from . import links, selectors, services
from .change_labels import labelled
from .forms import CommentForm
from .gate import publish_gate

SESSION_KEY = "approvals.review_sessions"  # link id -> review session token, in the Django session


class ReviewQueuePage(WorkspacePageMixin, TemplateView):
    """Waiting for me (in this workspace), sent back to me, my drafts not yet submitted, and everything in
    review; bulk approve of low-risk posts."""

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
        sent_back = selectors.requests_sent_back_to(user=self.request.user, workspace=self.workspace)
        drafts = selectors.drafts_not_submitted(user=self.request.user, workspace=self.workspace)
        context.update(
            waiting=waiting,
            in_review=in_review,
            sent_back=sent_back,
            drafts=drafts,
            can_decide=self.access.can(C.APPROVAL_DECIDE),
        )
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
                    parent=request.POST.get("parent") or None,
                )
                messages.success(request, _("Your comment is saved."))
        except links.LinkRefused as error:
            return self._refused(request, error)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("approvals:external_review", token=token)


# approvals.routing.why_rerouted's keys, as the review page says them
_REROUTE_WHY = {
    "workflow": gettext_lazy("workflow"),
    "campaign": gettext_lazy("campaign"),
    "tags": gettext_lazy("tags"),
    "accounts": gettext_lazy("accounts"),
    "platforms": gettext_lazy("platforms"),
    "compliance_findings": gettext_lazy("compliance findings"),
    "finding_kinds": gettext_lazy("kinds of compliance findings"),
    "policy": gettext_lazy("approval policy"),
}


def _snapshot_context(request, gate, post, last_approved=None, last_reviewed=None) -> dict:
    """What the last request pins (its payload: every field that is sent, per account) and how the post
    differs from it now, field by field (content.payload.payload_diff); the route's re-openings. While a
    re-submission is in review, also what changed since the last approval (`last_approved`), so the
    reviewer sees exactly what they are asked to approve anew; after a post was sent back, what changed
    since that review (`last_reviewed`)."""
    if request is None or not request.payload:
        return {
            "snapshot": None,
            "snapshot_changes": [],
            "reopened": [],
            "since_approval": [],
            "since_review": [],
        }
    from content.payload import payload_diff

    now = {
        "targets": [
            gate.payloads[k] for k in sorted(gate.payloads, key=lambda k: gate.payloads[k]["account"])
        ]
    }
    since_approval = []
    if last_approved is not None and last_approved.payload:
        since_approval = payload_diff(last_approved.payload, request.payload)
    since_review = []
    if last_reviewed is not None and last_reviewed.payload:
        since_review = payload_diff(last_reviewed.payload, request.payload)
    # (`post` is loaded with its variants' accounts: one lookup, no query per variant)
    handles = {t.account_id: f"@{t.account.handle}" for t in post.targets.all()}
    return {
        "snapshot": [
            {**item, "account_label": handles.get(item.get("account"), item.get("account"))}
            for item in request.payload["targets"]
        ],
        "snapshot_changes": labelled(payload_diff(request.payload, now), handles),
        "reopened": [
            {**r, "why": [str(_REROUTE_WHY.get(key, key)) for key in r.get("why") or []]}
            for r in (request.routing or {}).get("reopened") or []
        ],
        "since_approval": labelled(since_approval, handles),
        "since_review": labelled(since_review, handles),
    }


class PostReviewPage(WorkspacePageMixin, TemplateView):
    """One post in review: its variants with anchored comments, the stages, the decision form for the
    current stage's approvers, submit for the author, sharing with an external reviewer, the timeline.
    Each action's service checks the person's own capability (submit: post.edit; decide:
    approval.decide; comment: post.comment; share: post.edit)."""

    template_name = "approvals/post_review.html"
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_VIEW}

    def _post(self):
        from content.models import Post

        post = Post.objects.filter(
            workspace=self.workspace, pk=self.kwargs["post_id"], deleted_at__isnull=True
        )
        post = post.prefetch_related("targets__account", "targets__media_links__media").first()
        if post is None:
            raise Http404
        return post

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self._post()
        requests = list(selectors.requests_of(self.workspace).filter(post=post).order_by("-id")[:1])
        current = requests[0] if requests else None
        waiting = selectors.requests_waiting_for(user=self.request.user).filter(post=post).exists()
        comments = list(selectors.comments_of(self.workspace, post=post))
        threads = selectors.comment_threads(comments)
        gate = publish_gate(post)
        last_approved = last_reviewed = None
        if current is not None and current.status == "in_progress":
            last_approved = (
                selectors.requests_of(self.workspace)
                .filter(post=post, status="approved", pk__lt=current.pk)
                .order_by("-id")
                .first()
            )
            # sent back (or rejected) and submitted again: what the author changed since the review
            last_reviewed = (
                selectors.requests_of(self.workspace)
                .filter(post=post, status__in=["changes_requested", "rejected"], pk__lt=current.pk)
                .order_by("-id")
                .first()
            )
            if (
                last_approved is not None
                and last_reviewed is not None
                and last_approved.pk > last_reviewed.pk
            ):
                last_reviewed = None
        can_manage_links = self.access.can(C.POST_EDIT) or self.access.can(C.APPROVAL_MANAGE)
        context.update(
            post=post,
            current=current,
            gate=gate,
            **_snapshot_context(current, gate, post, last_approved, last_reviewed),
            can_decide=waiting,
            can_submit=self.access.can(C.POST_EDIT) and (current is None or current.status != "in_progress"),
            can_share=self.access.can(C.POST_EDIT)
            and current is not None
            and current.status == "in_progress",
            can_manage_links=can_manage_links,
            # as the API's review-links list: only for those who may manage links (post.edit)
            review_links=(
                selectors.review_links_of_request(self.workspace, request=current)
                if current is not None and can_manage_links
                else []
            ),
            variants=[_highlighted(t, comments) for t in post.targets.all()],
            comments=comments,
            threads=threads,
            open_threads=sum(1 for t in threads if t.resolved_at is None),
            can_comment=self.access.can(C.POST_COMMENT),
            comment_form=kwargs.get("comment_form") or CommentForm(),
            empty_comment_form=CommentForm(),
            # where a refused comment's errors show: under its thread's reply box, else the new-comment form
            error_thread=_error_thread(kwargs.get("comment_form"), threads),
            mentionable=selectors.mentionable_members(self.workspace)
            if self.access.can(C.POST_COMMENT)
            else [],
            timeline=[
                {**item, "label": _timeline_label(item["kind"]), **_readable_text(item)}
                for item in selectors.post_timeline(self.workspace, post=post)
            ],
        )
        context.update(request_actions(self.access, current))
        context["findings"] = _findings(post)
        return context

    def post(self, request, workspace_id, post_id):
        post = self._post()
        action = request.POST.get("action")
        here = redirect("approvals:post_review", workspace_id=workspace_id, post_id=post_id)
        try:
            if action == "comment":
                return self._comment(request, post) or here
            if action in ("resolve", "reopen"):
                self._resolve(request, post, resolved=action == "resolve")
            elif action == "submit":
                services.approval_request_submit(actor=request.user, post=post)
                messages.success(request, _("Submitted for approval."))
            elif action == "decide":
                self._decide(request, post)
            elif action == "share":
                current = (
                    selectors.requests_of(self.workspace).filter(post=post, status="in_progress").first()
                )
                if current is None:
                    raise Http404
                link, token = links.review_link_create(
                    actor=request.user,
                    workspace=self.workspace,
                    email=request.POST.get("email", ""),
                    request=current,
                )
                messages.success(
                    request, _("Send this link to the reviewer: %(url)s") % {"url": links.link_url(token)}
                )
                warning = links.review_link_warning(link)
                if warning:
                    messages.warning(request, warning)
            elif action in ("resend_link", "revoke_link"):
                link = self._link(post, request.POST.get("link", ""))
                if action == "resend_link":
                    links.review_link_resend(actor=request.user, link=link)
                    messages.success(request, _("A new link was sent to %(email)s.") % {"email": link.email})
                else:
                    links.review_link_revoke(actor=request.user, link=link)
                    messages.success(request, _("The link for %(email)s is revoked.") % {"email": link.email})
        except PermissionRefused as error:
            raise PermissionDenied(error.message) from None
        except DomainError as error:
            messages.error(request, error.message)
        return here

    def _link(self, post, link_id: str):
        """A review link of one of this post's requests in this workspace, or 404."""
        link = (
            selectors.review_links_of(self.workspace)
            .filter(pk=int(link_id) if link_id.isdigit() else 0, request__post=post)
            .first()
        )
        if link is None:
            raise Http404
        return link

    def _comment(self, request, post):
        """A comment or a reply; refused input comes back (400) with the message next to the field."""
        if not self.access.can(C.POST_COMMENT):
            raise PermissionDenied
        form = CommentForm(request.POST)
        if form.is_valid():
            current = selectors.requests_of(self.workspace).filter(post=post).order_by("-id").first()
            try:
                services.comment_create(
                    actor=request.user,
                    post=post,
                    body=form.cleaned_data["body"],
                    parent=form.cleaned_data["parent"],
                    mentions=form.cleaned_data["mentions"],
                    request=current if current is not None and current.status == "in_progress" else None,
                )
            except ValidationFailed as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Your comment is saved."))
                return None
        self.object = None
        context = self.get_context_data(comment_form=form)
        return self.render_to_response(context, status=400)

    def _resolve(self, request, post, *, resolved: bool):
        from .models import PostComment

        if not self.access.can(C.POST_COMMENT):
            raise PermissionDenied
        comment_id = request.POST.get("comment", "")
        comment = (
            PostComment.objects.filter(workspace=self.workspace, post=post, pk=int(comment_id)).first()
            if comment_id.isdigit()
            else None
        )
        if comment is None:
            raise Http404
        services.comment_resolve(actor=request.user, comment=comment, resolved=resolved)
        messages.success(request, _("Thread resolved.") if resolved else _("Thread reopened."))

    def _decide(self, request, post):
        from django.db import transaction

        from .models import ApprovalRequest

        current = ApprovalRequest.objects.filter(
            workspace=self.workspace, post=post, status="in_progress"
        ).first()
        if current is None:
            raise Http404
        comment = request.POST.get("comment", "")
        anchor = _anchor(request.POST, post)
        with transaction.atomic():
            if anchor is not None:
                target, start, end = anchor
                services.comment_create(
                    actor=request.user,
                    post=post,
                    body=comment or target.text[start:end],
                    target=target,
                    anchor_start=start,
                    anchor_end=end,
                    request=current,
                )
            services.approval_decide(
                actor=request.user,
                request=current,
                decision=request.POST.get("decision", ""),
                comment=comment,
            )
        messages.success(request, _("Your decision is recorded."))


def _readable_text(item: dict) -> dict:
    """A version's stored summary in the reader's language (as the post page says it)."""
    if item["kind"] != "version" or not item.get("text"):
        return {}
    from content.views.post_page import readable_summary

    return {"text": readable_summary(item["text"])}


def _findings(post) -> list[dict]:
    """The post's compliance findings as the reviewer should weigh them: checked now on what would be
    sent, in the reader's language, each saying which account's variant it is in (as the post page)."""
    from content.services import compliance_for_post

    labels = {"blocking": _("Blocking"), "warning": _("Warning"), "info": _("Info")}
    return [
        {
            **finding.to_dict(),
            "severity_label": labels.get(str(finding.severity), ""),
            "handle": result["handle"],
        }
        for result in compliance_for_post(post)
        for finding in result["findings"]
    ]


def request_actions(access, current) -> dict:
    from .page_actions import request_actions as actions

    return actions(access, current)


def _error_thread(form, threads) -> int | None:
    if form is None or not form.is_bound:
        return None
    parent = str(form.data.get("parent") or "")
    return next((t.pk for t in threads if str(t.pk) == parent), None)


def _anchor(data, post):
    """The span a decision's comment is anchored to: the offsets of a selection made in the page (start
    and end in code points of one variant's text as the browser sees it), or else the first place of a
    typed phrase; None when neither is given."""
    phrase = data.get("phrase", "").strip()
    ids = [data.get(key, "") for key in ("anchor_target", "anchor_start", "anchor_end")]
    if all(i.isdigit() for i in ids):
        target = next((t for t in post.targets.all() if t.pk == int(ids[0])), None)
        start, end = int(ids[1]), int(ids[2])
        # The page's text has the line breaks HTML normalises ("\r\n" -> "\n"); map back to the stored text.
        positions = _browser_positions(target.text) if target is not None else []
        if not 0 <= start < end < len(positions):
            raise ValidationFailed(_("That phrase is not in the post's text."), field="phrase")
        start, end = positions[start], positions[end]
        if phrase and target.text[start:end].replace("\r\n", "\n").strip() != phrase:
            raise ValidationFailed(_("That phrase is not in the post's text."), field="phrase")
        return target, start, end
    if not phrase:
        return None
    target = next((t for t in post.targets.all() if phrase in t.text), None)
    if target is None:
        raise ValidationFailed(_("That phrase is not in the post's text."), field="phrase")
    start = target.text.index(phrase)
    return target, start, start + len(phrase)


def _browser_positions(text: str) -> list[int]:
    """For each character of `text` as a browser's DOM holds it (each "\r\n" read as one "\n"), its index
    in `text`; and len(text) at the end."""
    positions, at = [], 0
    while at < len(text):
        positions.append(at)
        at += 2 if text.startswith("\r\n", at) else 1
    positions.append(len(text))
    return positions


def _highlighted(target, comments) -> dict:
    """The variant's text cut into pieces, with the spans that open comments anchor to marked."""
    spans = sorted(
        (c.anchor_start, c.anchor_end, c)
        for c in comments
        if c.target_id == target.pk
        and c.anchor_start is not None
        and c.resolved_at is None
        and c.anchor_end <= len(target.text)
        and target.text[c.anchor_start : c.anchor_end] == c.anchor_text
    )
    pieces, at = [], 0
    for start, end, comment in spans:
        if start < at:
            continue  # overlapping spans: the first one wins the highlight
        pieces.append({"text": target.text[at:start], "comment": None})
        pieces.append({"text": target.text[start:end], "comment": comment})
        at = end
    pieces.append({"text": target.text[at:], "comment": None})
    return {"target": target, "pieces": [p for p in pieces if p["text"]]}


def _timeline_label(kind: str) -> str:
    labels = {
        "version": _("New version"),
        "submitted": _("Submitted for approval"),
        "comment": _("Comment"),
        "reply": _("Reply"),
        "comment_resolved": _("Thread resolved"),
        "comment_reopened": _("Thread reopened"),
        "override": _("Published without approval"),
        "decision_approve": _("Approved"),
        "decision_reject": _("Rejected"),
        "decision_request_changes": _("Changes requested"),
        "request_approved": _("Approval complete"),
        "request_rejected": _("Request rejected"),
        "request_changes_requested": _("Returned to the author"),
        "request_cancelled": _("Request cancelled"),
    }
    return labels.get(kind, kind)
