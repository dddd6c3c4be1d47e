"""Inbox pages. The queue itself is dashboard:inbox (the navigation's name), pointing at
inbox.views.QueuePage."""

from django.urls import path

from . import views

app_name = "inbox"

W = "w/<int:workspace_id>/inbox/"

urlpatterns = [
    path(W + "items/", views.QueueListPartial.as_view(), name="queue_list"),
    path(W + "items/<int:item_id>/", views.ItemPage.as_view(), name="item"),
]
