"""Dashboard pages for content: the calendar (one workspace, or every workspace a person serves), the
composer (new and edit), the post page with its history, and the small JSON endpoints the calendar and
the composer call (events, drag to reschedule, live counts and compliance findings).

Thin views: parse, call one service or selector, render. Reading needs post.view; writing post.create /
post.edit; scheduling post.schedule (the services check the rest, e.g. moving a scheduled post).

The calendar speaks wall-clock time of the post's workspace: events go out as "2026-11-28T10:00:00"
without an offset (FullCalendar shows them as they are) and a drop comes back the same way, so what a
person sees and drags is always the workspace's time, whatever the browser's zone.

Split by noun (common, calendar, composer, post_page);
callers import from here.
"""

from .calendar import (  # noqa: F401
    _UNMOVABLE,
    AllWorkspacesCalendarView,
    AllWorkspacesEventsView,
    CalendarEventsView,
    CalendarView,
    PostMoveView,
    _authors,
    _BadRange,
    _Events,
    _range,
)
from .common import (  # noqa: F401
    MAX_EVENTS_RANGE,
    STATUS_ORDER,
    TEXT_UNITS,
    S,
    _error_json,
    _loaded_post,
    _local_iso,
    _parsed_time,
    _wall_clock,
    _workspace_post,
    text_count,
)
from .composer import (  # noqa: F401
    _ERROR_FIELDS,
    ComposerCheckView,
    ComposerCreateView,
    ComposerEditView,
    _ComposerMixin,
    _first_comment_index,
    _in_form_order,
    _show_error,
)
from .post_page import (  # noqa: F401
    PostComplianceOverrideView,
    PostDeleteView,
    PostDetailView,
    PostDuplicateView,
    PostQueueView,
    PostUnscheduleView,
    _change_labels,
    _changed_prefixes,
    _PostActionView,
    _readable_history,
)
