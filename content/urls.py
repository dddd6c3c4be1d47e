"""Dashboard pages of content (the calendar's page itself is dashboard:calendar, pointing at
content.views.CalendarView)."""

from django.urls import path

from . import import_views, views

app_name = "content"

W = "w/<int:workspace_id>/"
P = W + "posts/<int:post_id>/"

urlpatterns = [
    path("calendar/", views.AllWorkspacesCalendarView.as_view(), name="calendar_all"),
    path("calendar/events/", views.AllWorkspacesEventsView.as_view(), name="calendar_all_events"),
    path(W + "calendar/events/", views.CalendarEventsView.as_view(), name="calendar_events"),
    path(W + "posts/new/", views.ComposerCreateView.as_view(), name="composer_new"),
    path(W + "posts/check/", views.ComposerCheckView.as_view(), name="composer_check"),
    path(P, views.PostDetailView.as_view(), name="post_detail"),
    path(P + "edit/", views.ComposerEditView.as_view(), name="composer_edit"),
    path(P + "move/", views.PostMoveView.as_view(), name="post_move"),
    path(P + "duplicate/", views.PostDuplicateView.as_view(), name="post_duplicate"),
    path(P + "delete/", views.PostDeleteView.as_view(), name="post_delete"),
    path(P + "unschedule/", views.PostUnscheduleView.as_view(), name="post_unschedule"),
    path(P + "queue/", views.PostQueueView.as_view(), name="post_queue"),
    path(
        P + "compliance/override/",
        views.PostComplianceOverrideView.as_view(),
        name="post_compliance_override",
    ),
    path(W + "imports/", import_views.ImportPageView.as_view(), name="imports"),
    path(
        W + "imports/template.csv",
        import_views.ImportTemplateView.as_view(),
        {"kind": "csv"},
        name="import_template_csv",
    ),
    path(
        W + "imports/template.xlsx",
        import_views.ImportTemplateView.as_view(),
        {"kind": "xlsx"},
        name="import_template_xlsx",
    ),
    path(W + "imports/<int:import_id>/", import_views.ImportJobPageView.as_view(), name="import_job"),
    path(
        W + "imports/<int:import_id>/commit/",
        import_views.ImportCommitPageView.as_view(),
        name="import_commit",
    ),
]
