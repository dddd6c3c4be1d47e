"""The calendar: the month and week views, their events feed, the drag that moves a post, the all-workspaces
calendar."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from accounts.selectors import workspace_access_for, workspace_members, workspaces_for_user
from channels_app.views import platform_option
from core import timezones
from core.errors import DomainError
from core.views import WorkspacePageMixin, WorkspaceViewMixin

from .. import hooks, selectors, services
from ..forms import CalendarFilterForm
from ..models import LOCKED_STATUSES, Post
from .common import MAX_EVENTS_RANGE, STATUS_ORDER, S, _error_json, _local_iso, _parsed_time, _workspace_post


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
