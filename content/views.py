"""Dashboard pages for content: the calendar (one workspace, or every workspace a person serves), the
composer (new and edit), the post page with its history, and the small JSON endpoints the calendar and
the composer call (events, drag to reschedule, live counts and compliance findings).

Thin views: parse, call one service or selector, render. Reading needs post.view; writing post.create /
post.edit; scheduling post.schedule (the services check the rest, e.g. moving a scheduled post).

The calendar speaks wall-clock time of the post's workspace: events go out as "2026-11-28T10:00:00"
without an offset (FullCalendar shows them as they are) and a drop comes back the same way, so what a
person sees and drags is always the workspace's time, whatever the browser's zone.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from accounts.selectors import workspace_access_for, workspace_members, workspaces_for_user
from channels_app.connectors.registry import CONNECTORS
from channels_app.models import SocialAccount
from channels_app.views import platform_option
from core import timezones
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin

from . import compliance, hooks, selectors, services
from .forms import ACTION_DRAFT, ACTION_QUEUE, ACTION_SCHEDULE, CalendarFilterForm, ComposerForm
from .models import LOCKED_STATUSES, Post, TargetStatus

S = TargetStatus
STATUS_ORDER = [s.value for s in S]
MAX_EVENTS_RANGE = timedelta(days=62)  # a month view with its spill-over weeks, with room to spare


def _error_json(error: DomainError) -> JsonResponse:
    # `extra`: what some errors add, e.g. the times to choose from where a wall time names none or two.
    body = {
        "code": error.code,
        "message": error.message,
        "fields": error.fields,
        **getattr(error, "extra", {}),
    }
    return JsonResponse({"error": body}, status=error.status_code)


def _wall_clock(value: str, tz) -> datetime | None:
    """A calendar time ("2026-11-28T10:00:00", an offset or Z ignored) as an aware time in `tz`; for what
    is shown (a composer's initial date), not for a time to store (`_parsed_time`, core.timezones)."""
    parsed = _parsed_time(value)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=None).replace(tzinfo=tz)


def _parsed_time(value: str) -> datetime | None:
    """ "2026-11-28T10:00:00" (a wall time, naive) or with an offset (aware); None where it is not one."""
    try:
        return parse_datetime((value or "").strip().replace(" ", "+"))
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None


def _local_iso(value: datetime, tz) -> str:
    return value.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def _workspace_post(workspace, post_id) -> Post:
    return get_object_or_404(Post, workspace=workspace, pk=post_id, deleted_at__isnull=True)


def _loaded_post(workspace, post_id) -> Post:
    post = selectors.with_relations(
        Post.objects.filter(workspace=workspace, pk=post_id, deleted_at__isnull=True)
    ).first()
    if post is None:
        raise Http404
    return post


# --- platform counts --------------------------------------------------------------------------------


def text_count(platform: str, text: str, *, first_comment: bool = False) -> dict:
    """The length of `text` by the platform's own rule (content.services.text_counts, which asks the
    connector's count_text, the rule its validate uses too), its limit, unit and whether it is over.
    With `first_comment`, the limit is the first comment's (Facebook limits comments apart from posts)."""
    info = services.text_counts(text, [platform], first_comment=first_comment)[platform]
    limit = info["limit"]
    unit = gettext(str(info["unit"]))  # the connectors name their units in English (TEXT_UNITS)
    return {**info, "unit": unit, "over": limit is not None and info["count"] > limit}


# The connectors' `text_unit` names, for makemessages: said in the reader's language where they are shown.
TEXT_UNITS = (
    gettext_noop("characters"),
    gettext_noop("weighted characters"),
    gettext_noop("graphemes"),
    gettext_noop("UTF-16 characters"),
    gettext_noop("bytes of description"),
    gettext_noop("Weibo characters (a Chinese character is 1, two ASCII characters are 1)"),
)


# --- calendar ---------------------------------------------------------------------------------------


class _Events:
    """Turns calendar rows (content.selectors.calendar_event_rows) into FullCalendar events. What is the
    same for every post is worked out once per request, not once per post: translated labels, each
    platform's mark, and the URLs, which differ only in the post's id (one reverse() per workspace)."""

    _POST_ID = 987654321  # stands for the post's id in a reversed URL, which is then split around it

    def __init__(self):
        self.no_text = _("(no text)")
        self.missed = _("Missed")
        self.status_labels = {status.value: str(status.label) for status in S}
        self._platforms: dict[str, dict] = {}
        self._urls: dict[int, tuple[tuple[str, str], tuple[str, str]]] = {}

    def _platform(self, key: str) -> dict:
        shown = self._platforms.get(key)
        if shown is None:
            option = platform_option(key)
            shown = self._platforms[key] = {
                "platform": option.key,
                "label": option.label,
                "mark": option.mark,
                "color": option.color,
            }
        return shown

    def _url_parts(self, workspace_id: int):
        parts = self._urls.get(workspace_id)
        if parts is None:
            sentinel = str(self._POST_ID)
            parts = self._urls[workspace_id] = tuple(
                tuple(reverse(name, args=[workspace_id, self._POST_ID]).rsplit(sentinel, 1))
                for name in ("content:post_detail", "content:post_move")
            )
        return parts

    def event(
        self,
        post: dict,
        targets: Sequence[tuple],
        *,
        tz,
        editable: bool,
        can_schedule: bool,
        workspace_label: str = "",
        missed: bool = False,
    ) -> dict:
        """One post (EVENT_POST_FIELDS) with its targets (EVENT_TARGET_FIELDS, in id order)."""
        platforms = []
        text = ""
        movable = editable
        any_scheduled = False
        for _post_id, platform, handle, status, target_text in targets:
            platforms.append({**self._platform(platform), "handle": handle, "status": status})
            if not text and target_text:
                text = target_text
            # What the person may drag (the service decides again): not posts being published,
            # published or cancelled, and a scheduled one only with post.schedule.
            if status in _UNMOVABLE:
                movable = False
            any_scheduled = any_scheduled or status == S.SCHEDULED
        if any_scheduled and not can_schedule:
            movable = False
        pk, status = post["id"], post["status"]
        (detail_before, detail_after), (move_before, move_after) = self._url_parts(post["workspace_id"])
        # Failed, unknown and missed (failed: too late after the due time) posts carry a mark of their own.
        alert = "missed" if missed and status == S.FAILED else status
        alert_classes = ["ev-alert", f"ev-alert-{alert}"] if alert in ("failed", "unknown", "missed") else []
        campaign = post["campaign__name"]
        return {
            "id": str(pk),
            "title": post["title"] or text[:80] or self.no_text,
            "start": _local_iso(post["scheduled_at"], tz),
            "url": f"{detail_before}{pk}{detail_after}",
            "editable": movable,
            "classNames": [f"ev-status-{status}", *alert_classes],
            "extendedProps": {
                "status": status,
                "statusLabel": self.missed if alert == "missed" else self.status_labels[status],
                "alert": alert if alert_classes else "",
                "platforms": platforms,
                "text": text[:280],
                "campaign": campaign if campaign is not None else "",
                "campaignColor": post["campaign__color"] if campaign is not None else "",
                "version": post["version"],
                "moveUrl": f"{move_before}{pk}{move_after}",
                "workspace": workspace_label,
                # The wall time shown on the event, with its UTC offset where it happens twice (the
                # two 01:30s of a fall-back day), so the two are never shown alike.
                "timeLabel": timezones.time_label(post["scheduled_at"], tz),
                "instant": post["scheduled_at"].astimezone(UTC).isoformat(),
            },
        }


_UNMOVABLE = LOCKED_STATUSES | {S.CANCELLED}


class _BadRange(DomainError):
    status_code = 400
    default_code = "invalid_range"


def _range(request, tz) -> tuple[datetime, datetime]:
    """[start, end) from `start` and `end`, wall-clock times of `tz` (an offset or Z is ignored: the
    calendar sends its wall clock). Neither given: this month and its spill-over weeks. One missing, one
    that is not a time, or an end not after the start: a 400 naming the field (`_BadRange`)."""
    given = {key: request.GET.get(key, "").strip() for key in ("start", "end")}
    if not any(given.values()):
        now = timezone.now().astimezone(tz).replace(tzinfo=None)
        start = timezones.range_bound(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0), tz)
        return start, start + timedelta(days=42)
    bounds, fields = {}, {}
    for key, value in given.items():
        parsed = _parsed_time(value)
        if parsed is None:
            fields[key] = [_("Give a date and time, e.g. 2026-11-30T00:00:00.")]
        else:
            bounds[key] = timezones.range_bound(parsed.replace(tzinfo=None), tz)
    if not fields and bounds["end"] <= bounds["start"]:
        fields["end"] = [_("The end must be after the start.")]
    if fields:
        first = next(iter(fields))
        raise _BadRange(f"{first}: {fields[first][0]}", fields=fields)
    start, end = bounds["start"], bounds["end"]
    if end - start > MAX_EVENTS_RANGE:
        end = start + MAX_EVENTS_RANGE
    return start, end


def _authors(workspace):
    return [member.user for member in workspace_members(workspace).select_related("user")]


class CalendarView(WorkspacePageMixin, TemplateView):
    """Month, week and list views of the workspace's posts; drag to reschedule."""

    template_name = "content/calendar.html"
    required_capabilities = {"GET": C.POST_VIEW}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CalendarFilterForm(
            self.request.GET or None, workspace=self.workspace, authors=_authors(self.workspace)
        )
        if form.is_bound:
            form.is_valid()
        drafts = selectors.posts_filter(
            Post.objects.filter(workspace=self.workspace, scheduled_at__isnull=True),
            **form.selector_filters(),
        ).order_by("-updated_at")[:8]
        context.update(
            filter_form=form,
            events_url=reverse("content:calendar_events", args=[self.workspace.pk]),
            can_create=self.access.can(C.POST_CREATE),
            can_edit=self.access.can(C.POST_EDIT),
            unscheduled=list(drafts),
            statuses=[(s.value, s.label) for s in S],
            initial_date=self.request.GET.get("date", ""),
            initial_view=self.request.GET.get("view", ""),
            tz_name=self.workspace.timezone,
        )
        return context


class CalendarEventsView(WorkspaceViewMixin, View):
    """The calendar's events in [start, end) (wall-clock times of the workspace), filtered."""

    required_capabilities = {"GET": C.POST_VIEW}

    def get(self, request, workspace_id):
        tz = self.workspace.tzinfo
        try:
            start, end = _range(request, tz)
        except _BadRange as error:
            return _error_json(error)
        form = CalendarFilterForm(request.GET, workspace=self.workspace, authors=_authors(self.workspace))
        posts, targets = selectors.calendar_event_rows(
            self.workspace, start=start, end=end, **form.selector_filters()
        )
        missed = hooks.missed_post_ids([post["id"] for post in posts])
        editable, can_schedule = self.access.can(C.POST_EDIT), self.access.can(C.POST_SCHEDULE)
        events = _Events()
        return JsonResponse(
            [
                events.event(
                    post,
                    targets.get(post["id"], ()),
                    tz=tz,
                    editable=editable,
                    can_schedule=can_schedule,
                    missed=post["id"] in missed,
                )
                for post in posts
            ],
            safe=False,
        )


class AllWorkspacesCalendarView(LoginRequiredMixin, TemplateView):
    """One calendar across every workspace the person may see posts of (an agency member's clients)."""

    template_name = "content/calendar_all.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            events_url=reverse("content:calendar_all_events"),
            workspaces=list(workspaces_for_user(user=self.request.user)),
            statuses=[(s.value, s.label) for s in S],
        )
        return context


class AllWorkspacesEventsView(LoginRequiredMixin, View):
    def get(self, request):
        # A range in UTC wall-clock, widened by a day each side: workspaces sit in different zones.
        try:
            start, end = _range(request, UTC)
        except _BadRange as error:
            return _error_json(error)
        start, end = start - timedelta(days=1), end + timedelta(days=1)
        chosen = [int(v) for v in request.GET.getlist("workspace") if v.isdigit()]
        posts, targets = selectors.calendar_event_rows_for_user(
            user=request.user,
            workspaces=chosen,
            start=start,
            end=end,
            status=[s for s in request.GET.getlist("status") if s in STATUS_ORDER],
        )
        missed = hooks.missed_post_ids([post["id"] for post in posts])
        accesses, zones = {}, {}
        events = _Events()
        data = []
        for post in posts:
            workspace_id = post["workspace_id"]
            if workspace_id not in accesses:
                accesses[workspace_id] = workspace_access_for(user=request.user, workspace_id=workspace_id)
                zones[workspace_id] = zoneinfo.ZoneInfo(post["workspace__timezone"])
            access = accesses[workspace_id]
            data.append(
                events.event(
                    post,
                    targets.get(post["id"], ()),
                    tz=zones[workspace_id],
                    editable=access is not None and access.can(C.POST_EDIT),
                    can_schedule=access is not None and access.can(C.POST_SCHEDULE),
                    workspace_label=post["workspace__name"],
                    missed=post["id"] in missed,
                )
            )
        return JsonResponse(data, safe=False)


class PostMoveView(WorkspaceViewMixin, View):
    """The calendar's drag: move a post to another time (content.services.post_reschedule). A refusal
    answers with the reason, and the calendar puts the post back."""

    required_capabilities = {"POST": C.POST_EDIT}

    def post(self, request, workspace_id, post_id):
        post = _workspace_post(self.workspace, post_id)
        tz = self.workspace.tzinfo
        # The wall time dropped on (an explicit offset wins), and the person's choice where it names no
        # instant or two (`time_choice`: first / second / nearest): core.timezones decides and says what
        # it did; a refusal answers with the options to offer.
        asked = _parsed_time(request.POST.get("start", ""))
        if asked is None:
            return JsonResponse(
                {"error": {"code": "invalid", "message": _("Pick a date and time."), "fields": {}}},
                status=400,
            )
        version = request.POST.get("version")
        try:
            when = timezones.wall_to_instant(
                asked, tz, choice=request.POST.get("time_choice") or None, field="start"
            )
            post = services.post_reschedule(
                actor=request.user,
                post=post,
                scheduled_at=when.instant,
                version=int(version) if version and version.isdigit() else None,
            )
        except DomainError as error:
            return _error_json(error)
        moved = _("Moved to %(when)s.") % {
            "when": timezones.time_label(post.scheduled_at, tz, with_date=True)
        }
        return JsonResponse(
            {
                "ok": True,
                "start": _local_iso(post.scheduled_at, tz),
                "timeLabel": timezones.time_label(post.scheduled_at, tz),
                "version": post.version,
                "message": f"{moved} {when.note}" if when.note else moved,
            }
        )


# --- composer ---------------------------------------------------------------------------------------

# Which form field shows a service error about which input.
_ERROR_FIELDS = {
    "compliance": "text",
    "scheduled_at": "scheduled_date",
    "targets": "accounts",
    "tags": "tags",
    "campaign": "campaign",
    "title": "title",
}


def _first_comment_index(field: str) -> int | None:
    """N for "targets.N.first_comment", else None."""
    parts = field.split(".")
    if len(parts) == 3 and parts[0] == "targets" and parts[1].isdigit() and parts[2] == "first_comment":
        return int(parts[1])
    return None


def _in_form_order(error: DomainError, post: Post, form: ComposerForm) -> DomainError:
    """The scheduling services number `targets.N` in the post's target order (by id: an edit keeps the
    accounts it had first), the composer in its form's: renumber the first comments' problems."""
    order = [t.account_id for t in post.targets.order_by("id")]
    form_index = {target["account"]: index for index, target in enumerate(form.targets())}
    fields = {}
    for field, problems in error.fields.items():
        index = _first_comment_index(field)
        if index is not None and index < len(order) and order[index] in form_index:
            field = f"targets.{form_index[order[index]]}.first_comment"
        fields.setdefault(field, []).extend(problems)
    error.fields = fields
    return error


def _show_error(form: ComposerForm, error: DomainError) -> None:
    if error.code == "compliance_blocking":
        # A first comment's problem next to that account's first comment (its tab opens); the rest under
        # the text, the service's summary when nothing is in a first comment.
        in_comments = []
        for field, problems in error.fields.items():
            index = _first_comment_index(field)
            if index is not None:
                for problem in problems:
                    form.add_target_error(index, "first_comment", problem)
                in_comments += problems
        if not in_comments:
            form.add_error("text", error.message)
            return
        rest = list(error.fields.get("compliance", []))
        for problem in in_comments:
            if problem in rest:
                rest.remove(problem)
        for problem in dict.fromkeys(rest):
            form.add_error("text", problem)
        return
    if error.code == "compliance_warnings":
        form.add_error("override_warnings", error.message)
        return
    if not error.fields:
        form.add_error(None, error.message)
        return
    for field, problems in error.fields.items():
        index = _first_comment_index(field)
        if index is not None:
            # About one account's first comment: shown in that account's variant, next to the field.
            for problem in problems:
                form.add_target_error(index, "first_comment", problem)
            continue
        target = _ERROR_FIELDS.get(field.split(".")[0])
        for problem in problems:
            form.add_error(target, problem)


class _ComposerMixin(WorkspacePageMixin):
    template_name = "content/composer.html"
    editing: Post | None = None  # the post being edited (None: a new one)

    def form_kwargs(self):
        return {"workspace": self.workspace}

    def composer_context(self, form: ComposerForm) -> dict:
        accounts = list(form.fields["accounts"].queryset)
        selected = {int(v) for v in (form["accounts"].value() or []) if str(v).isdigit()}
        variants = {}
        first_comments = {}
        if form.is_bound:
            for account in accounts:
                if form.data.get(f"custom_{account.pk}") in ("1", "on", "true"):
                    variants[account.pk] = form.data.get(f"variant_{account.pk}", "")
                first_comments[account.pk] = form.data.get(f"first_comment_{account.pk}", "")
        elif self.editing is not None:
            main = form.initial.get("text", "")
            for target in self.editing.targets.all():
                if target.text != main:
                    variants[target.account_id] = target.text
                first_comments[target.account_id] = target.first_comment
        account_rows = []
        for account in accounts:
            option = platform_option(account.platform)
            cls = CONNECTORS.get(account.platform)
            errors = form.target_errors.get(account.pk, {})
            account_rows.append(
                {
                    "account": account,
                    "platform": option,
                    "checked": account.pk in selected,
                    "custom": account.pk in variants,
                    "variant": variants.get(account.pk, ""),
                    "limit": cls.capabilities.text_limit if cls else None,
                    "first_comment_limit": cls.capabilities.comment_limit if cls else None,
                    # The first comment field only where the platform posts one (the service decides
                    # again, and refuses a first comment anywhere else).
                    "takes_first_comment": bool(cls and cls.capabilities.first_comment),
                    "first_comment": first_comments.get(account.pk, ""),
                    "first_comment_errors": errors.get("first_comment", []),
                    "has_errors": bool(errors),
                }
            )
        chosen_media = {int(v) for v in (form["media"].value() or []) if str(v).isdigit()}
        tag_groups = []
        chosen_tags = {int(v) for v in (form["tags"].value() or []) if str(v).isdigit()}
        for group in selectors.tag_groups(self.workspace):
            tag_groups.append({"group": group, "tags": [(t, t.pk in chosen_tags) for t in group.tags.all()]})
        return {
            "form": form,
            "post": self.editing,
            "account_rows": account_rows,
            "media_items": [(m, m.pk in chosen_media) for m in form.fields["media"].queryset[:40]],
            "tag_groups": tag_groups,
            "can_schedule": self.access.can(C.POST_SCHEDULE),
            "can_upload": self.access.can(C.MEDIA_UPLOAD),
            "check_url": reverse("content:composer_check", args=[self.workspace.pk]),
            "media_api_url": reverse("media-list", args=[self.workspace.pk]),
            "tz_name": self.workspace.timezone,
            "is_scheduled": self.editing is not None and self.editing.status == S.SCHEDULED,
        }

    def get(self, request, *args, **kwargs):
        form = ComposerForm(initial=self.initial(), **self.form_kwargs())
        return self.render_to_response(self.get_context_data(**self.composer_context(form)))

    def post(self, request, *args, **kwargs):
        form = ComposerForm(request.POST, **self.form_kwargs())
        if form.is_valid():
            action = form.cleaned_data["action"]
            if action in (ACTION_SCHEDULE, ACTION_QUEUE) and not self.access.can(C.POST_SCHEDULE):
                form.add_error(None, _("Your role does not allow scheduling; save it as a draft."))
            else:
                try:
                    with transaction.atomic():
                        post = self.save(form)
                except DomainError as error:
                    _show_error(form, error)
                else:
                    done = self.done_message(action, post)
                    messages.success(request, f"{done} {form.time_note}" if form.time_note else done)
                    return redirect("content:post_detail", self.workspace.pk, post.pk)
        return self.render_to_response(self.get_context_data(**self.composer_context(form)))

    def save_alt_texts(self, form: ComposerForm, post: Post) -> Post:
        """Alt texts typed in the composer go to the library assets (after the post's own edit, which
        checked the version the person opened); a changed one resets approvals like any edit."""
        changed = False
        for asset, text in form.alt_texts().items():
            if text != asset.alt_text:
                services.media_update(actor=self.request.user, media=asset, alt_text=text)
                changed = True
        return Post.objects.get(pk=post.pk) if changed else post

    def finish(self, form: ComposerForm, post: Post) -> Post:
        """After the content is saved: schedule, queue, or keep it a draft."""
        data = form.cleaned_data
        action = data["action"]
        try:
            if action == ACTION_SCHEDULE:
                return services.post_schedule(
                    actor=self.request.user,
                    post=post,
                    scheduled_at=data["scheduled_at"],
                    override_warnings=data["override_warnings"],
                )
            if action == ACTION_QUEUE:
                return services.post_add_to_queue(
                    actor=self.request.user, post=post, override_warnings=data["override_warnings"]
                )
        except DomainError as error:
            raise _in_form_order(error, post, form) from None
        return post

    def done_message(self, action: str, post: Post) -> str:
        if action in (ACTION_SCHEDULE, ACTION_QUEUE):
            return _("Scheduled for %(when)s (%(tz)s).") % {
                "when": timezones.time_label(post.scheduled_at, self.workspace.tzinfo, with_date=True),
                "tz": self.workspace.timezone,
            }
        return _("Saved as a draft.")


class ComposerCreateView(_ComposerMixin, TemplateView):
    required_capabilities = {"GET": C.POST_CREATE, "POST": C.POST_CREATE}

    def initial(self) -> dict:
        initial = {}
        day = self.request.GET.get("date", "")
        when = _wall_clock(day if "T" in day else f"{day}T10:00:00", self.workspace.tzinfo) if day else None
        if when is not None:
            initial.update(scheduled_date=when.date(), scheduled_time=when.time())
        account = self.request.GET.get("account")
        if account and account.isdigit():
            initial["accounts"] = [int(account)]
        return initial

    def save(self, form: ComposerForm) -> Post:
        data = form.cleaned_data
        post = services.post_create(
            actor=self.request.user,
            workspace=self.workspace,
            targets=form.targets(),
            title=data["title"],
            campaign=data["campaign"].pk if data["campaign"] else None,
            tags=[t.pk for t in data["tags"]],
            scheduled_at=data["scheduled_at"],
            is_paid_or_kol=data["is_paid_or_kol"],
        )
        post = self.save_alt_texts(form, post)
        return self.finish(form, post)


class ComposerEditView(_ComposerMixin, TemplateView):
    required_capabilities = {"GET": C.POST_EDIT, "POST": C.POST_EDIT}

    def dispatch_post(self):
        if self.editing is None:
            self.editing = _loaded_post(self.workspace, self.kwargs["post_id"])
        return self.editing

    def form_kwargs(self):
        # A save that leaves the shown date and time alone keeps the post's instant exactly.
        return {**super().form_kwargs(), "keep": self.editing.scheduled_at}

    def get(self, request, *args, **kwargs):
        self.dispatch_post()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.dispatch_post()
        return super().post(request, *args, **kwargs)

    def initial(self) -> dict:
        post = self.editing
        targets = list(post.targets.all())
        texts = [t.text for t in targets]
        main = max(texts, key=texts.count) if texts else ""
        media = []
        for target in targets:
            for link in target.media_links.all():
                if link.media_id not in media:
                    media.append(link.media_id)
        initial = {
            "title": post.title,
            "accounts": [t.account_id for t in targets],
            "text": main,
            "media": media,
            "campaign": post.campaign_id,
            "tags": [t.pk for t in post.tags.all()],
            "is_paid_or_kol": post.is_paid_or_kol,
            "version": post.version,
        }
        if post.scheduled_at:
            tz = self.workspace.tzinfo
            local = timezone.localtime(post.scheduled_at, tz)
            initial.update(scheduled_date=local.date(), scheduled_time=local.time().replace(second=0))
            # Which of two repeated wall times (a fall-back day's 01:30s) the post is at, shown as chosen.
            initial["time_choice"] = timezones.occurrence(post.scheduled_at, tz)
        return initial

    def save(self, form: ComposerForm) -> Post:
        data = form.cleaned_data
        post = self.editing
        changes = {
            "title": data["title"],
            "campaign": data["campaign"].pk if data["campaign"] else None,
            "tags": [t.pk for t in data["tags"]],
            "is_paid_or_kol": data["is_paid_or_kol"],
            "targets": form.targets(keep_options={t.account_id: t.options for t in post.targets.all()}),
        }
        # A scheduled post moves with the schedule action (post_schedule), not with an edit.
        if post.status != S.SCHEDULED:
            changes["scheduled_at"] = data["scheduled_at"]
        version = data.get("version") or post.version
        post = services.post_update(actor=self.request.user, post=post, version=version, **changes)
        post = self.save_alt_texts(form, post)
        if data["action"] == ACTION_DRAFT and post.status == S.SCHEDULED:
            return services.post_unschedule(actor=self.request.user, post=post)
        return self.finish(form, post)


class ComposerCheckView(WorkspaceViewMixin, View):
    """The composer's live check: per account, the length by the platform's own rule and the compliance
    findings (with UTF-16 spans for highlighting) of its text and, where the platform posts one, of its
    first comment (findings with `field` "first_comment", and the first comment's own count); and the
    findings of the main text."""

    required_capabilities = {"POST": C.POST_VIEW}

    def post(self, request, workspace_id):
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse(
                {"error": {"code": "invalid", "message": _("Invalid JSON."), "fields": {}}}, status=400
            )
        if not isinstance(body, dict):
            body = {}
        main = str(body.get("text") or "")
        paid = bool(body.get("is_paid_or_kol"))
        media = [int(m) for m in body.get("media") or [] if str(m).isdigit()]
        variants = [
            v
            for v in body.get("variants") or []
            if isinstance(v, dict) and str(v.get("account", "")).isdigit()
        ]
        try:
            result = {"main": [], "variants": []}
            account_ids = [int(v["account"]) for v in variants]
            accounts = {
                a.pk: a for a in SocialAccount.objects.filter(workspace=self.workspace, pk__in=account_ids)
            }
            follows_main = []
            for variant in variants:
                account = accounts.get(int(variant["account"]))
                if account is None:
                    raise Http404
                text = main if not variant.get("custom") else str(variant.get("text") or "")
                # A first comment only where the platform posts one (the composer shows no field elsewhere).
                takes_comment = services.takes_first_comment(account.platform)
                first_comment = str(variant.get("first_comment") or "") if takes_comment else ""
                findings, _platforms = services.compliance_check_text(
                    workspace=self.workspace,
                    text=text,
                    accounts=[account.pk],
                    media=media,
                    is_paid_or_kol=paid,
                    first_comment=first_comment,
                )
                if not variant.get("custom"):
                    follows_main.append(account.pk)
                in_comment = [f for f in findings if f.field == compliance.FIRST_COMMENT]
                result["variants"].append(
                    {
                        "account": account.pk,
                        "platform": account.platform,
                        "custom": bool(variant.get("custom")),
                        **text_count(account.platform, text),
                        "blocking": any(f.blocking for f in findings),
                        "findings": [f.to_dict() for f in findings],
                        # Counted by the same rule as the text (the connector's count_text), against
                        # the first comment's own limit.
                        "first_comment": {
                            **text_count(account.platform, first_comment, first_comment=True),
                            "blocking": any(f.blocking for f in in_comment),
                        }
                        if takes_comment
                        else None,
                    }
                )
            findings, _platforms = services.compliance_check_text(
                workspace=self.workspace, text=main, accounts=follows_main, media=media, is_paid_or_kol=paid
            )
            result["main"] = [f.to_dict() for f in findings]
        except DomainError as error:
            return _error_json(error)
        return JsonResponse(result)


# --- the post page ----------------------------------------------------------------------------------


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


def _readable_history(history: list[dict], tz) -> list[dict]:
    """The selector's history with readable field names and scheduled times in the workspace's zone."""
    labels = _change_labels()
    for entry in history:
        # Summaries are stored in the language of whoever saved; say them again in the reader's.
        summary = entry.get("summary") or ""
        prefix = next((p for p in _changed_prefixes() if summary.startswith(p)), None)
        keys = summary[len(prefix) :].split(", ") if prefix else []
        if keys and all(key in labels for key in keys):
            # services._summary names the changed fields by key ("title, targets")
            entry["summary"] = _("Changed: %(fields)s") % {"fields": ", ".join(str(labels[k]) for k in keys)}
        elif summary in ("Created", gettext("Created")):
            entry["summary"] = pgettext("post history", "Created")
        elif summary:
            entry["summary"] = gettext(summary)
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
        context.update(
            post=post,
            approval=hooks.latest_approval(self.workspace, post),
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
