from django.urls import path

from . import imports, views

W = "workspaces/<int:workspace_id>/"
P = W + "posts/<int:post_id>/"

urlpatterns = [
    path(W + "posts/", views.PostListView.as_view(), name="post-list"),
    path(P, views.PostDetailView.as_view(), name="post-detail"),
    path(P + "history/", views.PostHistoryView.as_view(), name="post-history"),
    path(P + "duplicate/", views.PostDuplicateView.as_view(), name="post-duplicate"),
    path(P + "schedule/", views.PostScheduleView.as_view(), name="post-schedule"),
    path(P + "reschedule/", views.PostRescheduleView.as_view(), name="post-reschedule"),
    path(P + "unschedule/", views.PostUnscheduleView.as_view(), name="post-unschedule"),
    path(P + "queue/", views.PostQueueView.as_view(), name="post-queue"),
    path(P + "compliance/", views.PostComplianceView.as_view(), name="post-compliance"),
    path(
        P + "compliance/override/",
        views.PostComplianceOverrideView.as_view(),
        name="post-compliance-override",
    ),
    path(W + "compliance/check/", views.ComplianceCheckView.as_view(), name="compliance-check"),
    path(W + "media/", views.MediaListView.as_view(), name="media-list"),
    path(W + "media/<int:media_id>/", views.MediaDetailView.as_view(), name="media-detail"),
    path(W + "campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path(W + "campaigns/<int:campaign_id>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path(W + "tag-groups/", views.TagGroupListView.as_view(), name="tag-group-list"),
    path(W + "tag-groups/<int:tag_group_id>/", views.TagGroupDetailView.as_view(), name="tag-group-detail"),
    path(W + "tags/", views.TagListView.as_view(), name="tag-list"),
    path(W + "tags/<int:tag_id>/", views.TagDetailView.as_view(), name="tag-detail"),
    path(W + "banned-words/", views.BannedWordListView.as_view(), name="banned-word-list"),
    path(
        W + "banned-words/<int:banned_word_id>/",
        views.BannedWordDetailView.as_view(),
        name="banned-word-detail",
    ),
    path(W + "posting-slots/", views.PostingSlotListView.as_view(), name="posting-slot-list"),
    path(
        W + "posting-slots/<int:slot_id>/", views.PostingSlotDetailView.as_view(), name="posting-slot-detail"
    ),
    path(W + "imports/", imports.ImportJobListView.as_view(), name="import-list"),
    path(W + "imports/<int:import_id>/", imports.ImportJobDetailView.as_view(), name="import-detail"),
    path(W + "imports/<int:import_id>/commit/", imports.ImportJobCommitView.as_view(), name="import-commit"),
    path("me/calendar/", views.MyCalendarView.as_view(), name="my-calendar"),
    path("me/ical-feeds/", views.IcalFeedListView.as_view(), name="ical-feed-list"),
    path("me/ical-feeds/<int:feed_id>/", views.IcalFeedDetailView.as_view(), name="ical-feed-detail"),
]
