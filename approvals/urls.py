from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("review/<str:token>/", views.ExternalReviewPage.as_view(), name="external_review"),
]
