"""Inbox pages. The queue itself is dashboard:inbox (the navigation's name), pointing at
inbox.views.QueuePage."""

from django.urls import path

from . import rule_views, saved_view_views, views
from .push import views as push_views

app_name = "inbox"

W = "w/<int:workspace_id>/inbox/"

urlpatterns = [
    path(W + "items/", views.QueueListPartial.as_view(), name="queue_list"),
    path(W + "items/<int:item_id>/", views.ItemPage.as_view(), name="item"),
    path(W + "items/<int:item_id>/presence/", views.ItemPresencePartial.as_view(), name="item_presence"),
    path(W + "saved-replies/", views.SavedRepliesPage.as_view(), name="saved_replies"),
    path(W + "settings/", views.InboxSettingsPage.as_view(), name="settings"),
    path(W + "views/", saved_view_views.SavedViewCreateView.as_view(), name="saved_views"),
    path(
        W + "views/<int:view_id>/delete/",
        saved_view_views.SavedViewDeleteView.as_view(),
        name="saved_view_delete",
    ),
    path(W + "rules/", rule_views.RulesPage.as_view(), name="rules"),
    path(W + "rules/<int:rule_id>/", rule_views.RulePage.as_view(), name="rule"),
    path(W + "rules/<int:rule_id>/delete/", rule_views.RuleDeleteView.as_view(), name="rule_delete"),
    path(W + "rules/<int:rule_id>/move/", rule_views.RuleMoveView.as_view(), name="rule_move"),
    path(W + "accounts/<int:account_id>/wechat-push/", views.WeChatPushPage.as_view(), name="wechat_push"),
    path(
        W + "saved-replies/<int:saved_reply_id>/delete/",
        views.SavedReplyDeleteView.as_view(),
        name="saved_reply_delete",
    ),
    # What the platforms push to (machines, not pages: tests/dashboard_pages.py skips hooks/).
    path("hooks/inbox/wechat/<str:url_key>/", push_views.WeChatPushView.as_view(), name="wechat_push"),
    path("hooks/inbox/meta/", push_views.MetaWebhookView.as_view(), name="meta_webhook"),
    path("hooks/inbox/douyin/", push_views.DouyinWebhookView.as_view(), name="douyin_webhook"),
]
