"""Dashboard pages of content (the calendar's page itself is dashboard:calendar, pointing at
content.views.CalendarView)."""

from django.urls import path

from . import import_views, views
from .views import media_library, wechat_editor
from .views import settings as settings_pages

app_name = "content"

W = "w/<int:workspace_id>/"
P = W + "posts/<int:post_id>/"
SET = W + "settings/"

urlpatterns = [
    path("calendar/", views.AllWorkspacesCalendarView.as_view(), name="calendar_all"),
    path("calendar/events/", views.AllWorkspacesEventsView.as_view(), name="calendar_all_events"),
    path(W + "calendar/events/", views.CalendarEventsView.as_view(), name="calendar_events"),
    path(W + "posts/new/", views.ComposerCreateView.as_view(), name="composer_new"),
    path(W + "posts/check/", views.ComposerCheckView.as_view(), name="composer_check"),
    path(P, views.PostDetailView.as_view(), name="post_detail"),
    path(P + "edit/", views.ComposerEditView.as_view(), name="composer_edit"),
    path(
        W + "wechat-articles/<int:variant_id>/",
        wechat_editor.WeChatEditorPage.as_view(),
        name="wechat_editor",
    ),
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
    path(
        W + "media/<int:media_id>/alt-text/",
        media_library.MediaAltTextView.as_view(),
        name="media_alt_text",
    ),
    path(W + "media/<int:media_id>/delete/", media_library.MediaDeleteView.as_view(), name="media_delete"),
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
    # Content settings (Settings navigation): the pages for the API's campaigns, tag-groups, tags,
    # banned-words and posting-slots endpoints.
    path(SET + "campaigns/", settings_pages.CampaignsPage.as_view(), name="campaigns"),
    path(
        SET + "campaigns/<int:campaign_id>/", settings_pages.CampaignEditPage.as_view(), name="campaign_edit"
    ),
    path(
        SET + "campaigns/<int:campaign_id>/delete/",
        settings_pages.CampaignDeletePage.as_view(),
        name="campaign_delete",
    ),
    path(SET + "tags/", settings_pages.TagGroupsPage.as_view(), name="tag_groups"),
    path(
        SET + "tags/groups/<int:tag_group_id>/",
        settings_pages.TagGroupEditPage.as_view(),
        name="tag_group_edit",
    ),
    path(
        SET + "tags/groups/<int:tag_group_id>/delete/",
        settings_pages.TagGroupDeletePage.as_view(),
        name="tag_group_delete",
    ),
    path(
        SET + "tags/groups/<int:tag_group_id>/tags/",
        settings_pages.TagCreatePage.as_view(),
        name="tag_create",
    ),
    path(SET + "tags/<int:tag_id>/", settings_pages.TagEditPage.as_view(), name="tag_edit"),
    path(SET + "tags/<int:tag_id>/delete/", settings_pages.TagDeletePage.as_view(), name="tag_delete"),
    path(SET + "banned-words/", settings_pages.BannedWordsPage.as_view(), name="banned_words"),
    path(
        SET + "banned-words/<int:banned_word_id>/",
        settings_pages.BannedWordEditPage.as_view(),
        name="banned_word_edit",
    ),
    path(
        SET + "banned-words/<int:banned_word_id>/delete/",
        settings_pages.BannedWordDeletePage.as_view(),
        name="banned_word_delete",
    ),
    path(SET + "posting-slots/", settings_pages.PostingSlotsPage.as_view(), name="posting_slots"),
    path(
        SET + "posting-slots/<int:slot_id>/delete/",
        settings_pages.PostingSlotDeletePage.as_view(),
        name="posting_slot_delete",
    ),
]
