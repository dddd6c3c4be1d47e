from django.urls import path
from django.views.generic import TemplateView

app_name = "dashboard"

urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="home"),
    path(
        "invitations/<str:token>/", TemplateView.as_view(template_name="base.html"), name="invitation_accept"
    ),
]
