"""The post page: variants as each platform shows them, compliance (and an admin's override), history;
its buttons."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.views import platform_option
from core import timezones
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin

from .. import hooks, selectors, services
from ..models import LOCKED_STATUSES
from .common import S, _loaded_post, _workspace_post, text_count


def _change_labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "scheduled_at": _("Time"),
        "campaign": _("Campaign"),
        "tags": _("Tags"),
        "is_paid_or_kol": _("Paid or KOL"),
        "targets": _("Accounts"),
        "text": _("Text"),
        "first_comment": _("First comment"),
        "media": _("Media"),
        "options": _("Platform options"),
        "status": _("Status"),
    }


@lru_cache(maxsize=1)
def _changed_prefixes() -> tuple[str, ...]:
    """How "Changed: <fields>" begins in each of the dashboard's languages (a summary is stored in the
    language of whoever saved)."""
    prefixes = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.append(gettext("Changed: %(fields)s") % {"fields": ""})
    return tuple(prefixes)


def readable_summary(summary: str) -> str:
    """A version's summary in the reader's language. Summaries are stored in the language of whoever
    saved; services._summary names the changed fields by key ("title, targets"), said again here."""
    labels = _change_labels()
    prefix = next((p for p in _changed_prefixes() if summary.startswith(p)), None)
    keys = summary[len(prefix) :].split(", ") if prefix else []
    if keys and all(key in labels for key in keys):
        return _("Changed: %(fields)s") % {"fields": ", ".join(str(labels[k]) for k in keys)}
    if summary in ("Created", gettext("Created")):
        return pgettext("post history", "Created")
    return gettext(summary) if summary else summary


def _readable_history(history: list[dict], tz) -> list[dict]:
    """The selector's history with readable field names and scheduled times in the workspace's zone."""
    labels = _change_labels()
    for entry in history:
        entry["summary"] = readable_summary(entry.get("summary") or "")
        for change in entry["changes"]:
            key = change["field"].rsplit(".", 1)[-1]
            change["label"] = labels.get(key, key)
            if key == "status":
                for side in ("before", "after"):
                    if change.get(side) in S.values:
                        change[side] = str(S(change[side]).label)
            if change["field"] == "scheduled_at":
                for key in ("before", "after"):
                    value = change.get(key)
                    parsed = parse_datetime(value) if isinstance(value, str) else None
                    change[key] = (
                        timezone.localtime(parsed, tz).strftime("%Y-%m-%d %H:%M") if parsed else value
                    )
    return history


class PostDetailView(WorkspacePageMixin, TemplateView):
    """A post: its variants as each platform shows them, their status, compliance and its history."""

    template_name = "content/post_detail.html"
    required_capabilities = {"GET": C.POST_VIEW}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = _loaded_post(self.workspace, kwargs["post_id"])
        tz = self.workspace.tzinfo
        targets = []
        publishing = hooks.targets_publishing(self.workspace, [target.pk for target in post.targets.all()])
        handles = {}
        for target in post.targets.all():
            handles[target.pk] = target.account.handle
            targets.append(
                {
                    "target": target,
                    "platform": platform_option(target.account.platform),
                    "media": [link.media for link in target.media_links.all()],
                    "count": text_count(target.account.platform, target.text),
                    "first_comment_count": text_count(
                        target.account.platform, target.first_comment, first_comment=True
                    )
                    if target.first_comment
                    else None,
                    "publishing": publishing[target.pk],
                }
            )
        can_override = self.access.can(C.POST_PUBLISH_WITHOUT_APPROVAL)
        # Checked now, in the reader's language, on what would be sent now (the stored summary keeps the
        # language and the content of its last save); each finding says which part of which variant.
        severity_labels = {"blocking": _("Blocking"), "warning": _("Warning"), "info": _("Info")}
        findings = [
            {
                **finding.to_dict(),
                "severity_label": severity_labels.get(str(finding.severity), str(finding.severity)),
                "handle": result["handle"],
            }
            for result in services.compliance_for_post(post)
            for finding in result["findings"]
        ]
        approval = hooks.latest_approval(self.workspace, post)
        context.update(
            post=post,
            approval=approval,
            # approved, then edited: the variants went back to draft and the approval no longer holds
            can_submit=self.access.can(C.POST_EDIT)
            and post.status == S.DRAFT
            and hooks.registered("submit_for_approval") is not None
            and (approval is None or approval.status != "in_progress"),
            approval_route=hooks.approval_route(post) if post.status == S.DRAFT else None,
            approval_outdated=approval is not None
            and approval.status == "approved"
            and post.status == S.DRAFT,
            targets=targets,
            history=_readable_history(selectors.post_history(self.workspace, post), tz),
            findings=findings,
            tz_name=self.workspace.timezone,
            local_time=timezone.localtime(post.scheduled_at, tz) if post.scheduled_at else None,
            # "2027-11-07 01:30", with its UTC offset where that wall time happens twice.
            time_label=timezones.time_label(post.scheduled_at, tz, with_date=True)
            if post.scheduled_at
            else "",
            can_edit=self.access.can(C.POST_EDIT),
            can_create=self.access.can(C.POST_CREATE),
            can_schedule=self.access.can(C.POST_SCHEDULE),
            can_publish_now=self.access.can(C.POST_PUBLISH_NOW),
            can_override_blocking=can_override,
            has_blocking=any(f["severity"] == "blocking" for f in findings),
            blocking_override=services.post_blocking_override(post),
            is_scheduled=post.status == S.SCHEDULED,
            is_locked=post.status in LOCKED_STATUSES,
        )
        return context


class _PostActionView(WorkspaceViewMixin, View):
    """A button on the post page: call one service, come back with its message."""

    def post(self, request, workspace_id, post_id):
        post = _workspace_post(self.workspace, post_id)
        try:
            result, message = self.act(post)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("content:post_detail", workspace_id, post.pk)
        messages.success(request, message)
        if result is None or result.deleted_at is not None:
            return redirect("dashboard:calendar", workspace_id)
        return redirect("content:post_detail", workspace_id, result.pk)


class PostDuplicateView(_PostActionView):
    required_capabilities = {"POST": C.POST_CREATE}

    def act(self, post):
        return services.post_duplicate(actor=self.request.user, post=post), _("Duplicated as a new draft.")


class PostDeleteView(_PostActionView):
    required_capabilities = {"POST": C.POST_EDIT}

    def act(self, post):
        return services.post_delete(actor=self.request.user, post=post), _("The post was deleted.")


class PostUnscheduleView(_PostActionView):
    required_capabilities = {"POST": C.POST_SCHEDULE}

    def act(self, post):
        return services.post_unschedule(actor=self.request.user, post=post), _("Taken off the schedule.")


class PostComplianceOverrideView(_PostActionView):
    """The post page's "Override blocking findings" form (admins): the reason is required and shown."""

    required_capabilities = {"POST": C.POST_PUBLISH_WITHOUT_APPROVAL}

    def act(self, post):
        post = services.post_compliance_override(
            actor=self.request.user, post=post, reason=self.request.POST.get("reason", "")
        )
        return post, _("Blocking findings overridden for this exact content.")


class PostQueueView(_PostActionView):
    required_capabilities = {"POST": C.POST_SCHEDULE}

    def act(self, post):
        override = self.request.POST.get("override_warnings") in ("1", "on")
        post = services.post_add_to_queue(actor=self.request.user, post=post, override_warnings=override)
        when = timezones.time_label(post.scheduled_at, self.workspace.tzinfo, with_date=True)
        return post, _("Added to the queue: %(when)s.") % {"when": when}
