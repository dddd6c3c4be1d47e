from django.urls import path

from . import approval_views, push_key_views, rule_views, saved_view_views, views

P = "workspaces/<int:workspace_id>/inbox/"

urlpatterns = [
    path(P + "items/", views.ItemListView.as_view(), name="inbox-item-list"),
    path(P + "items/close/", views.ItemsCloseView.as_view(), name="inbox-items-close"),
    path(P + "items/bulk-assign/", views.ItemsAssignView.as_view(), name="inbox-items-assign"),
    path(P + "items/<int:item_id>/", views.ItemDetailView.as_view(), name="inbox-item-detail"),
    path(P + "items/<int:item_id>/assign/", views.ItemAssignView.as_view(), name="inbox-item-assign"),
    path(P + "items/<int:item_id>/notes/", views.ItemNotesView.as_view(), name="inbox-item-notes"),
    path(P + "items/<int:item_id>/reply/", views.ItemReplyView.as_view(), name="inbox-item-reply"),
    path(P + "items/<int:item_id>/actions/", views.ItemActionView.as_view(), name="inbox-item-action"),
    path(
        P + "items/<int:item_id>/replies/<int:reply_id>/approve/",
        approval_views.ReplyApproveView.as_view(),
        name="inbox-reply-approve",
    ),
    path(
        P + "items/<int:item_id>/replies/<int:reply_id>/reject/",
        approval_views.ReplyRejectView.as_view(),
        name="inbox-reply-reject",
    ),
    path(P + "fans/<int:fan_id>/", views.FanDetailView.as_view(), name="inbox-fan-detail"),
    path(P + "rules/", rule_views.RuleListView.as_view(), name="inbox-rule-list"),
    path(P + "rules/order/", rule_views.RuleOrderView.as_view(), name="inbox-rule-order"),
    path(P + "rules/test/", rule_views.RuleTestView.as_view(), name="inbox-rule-test"),
    path(P + "rules/<int:rule_id>/", rule_views.RuleDetailView.as_view(), name="inbox-rule-detail"),
    path(
        P + "accounts/<int:account_id>/wechat-push/",
        push_key_views.WeChatPushKeyView.as_view(),
        name="inbox-wechat-push-key",
    ),
    path(P + "views/", saved_view_views.SavedViewListView.as_view(), name="inbox-view-list"),
    path(
        P + "views/<int:view_id>/", saved_view_views.SavedViewDetailView.as_view(), name="inbox-view-detail"
    ),
    path(P + "settings/", views.InboxSettingsView.as_view(), name="inbox-settings"),
    path(P + "saved-replies/", views.SavedReplyListView.as_view(), name="inbox-saved-reply-list"),
    path(
        P + "saved-replies/<int:saved_reply_id>/",
        views.SavedReplyDetailView.as_view(),
        name="inbox-saved-reply-detail",
    ),
]
