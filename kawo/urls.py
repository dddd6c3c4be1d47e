from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from content.ical import feed_view as ical_feed_view

urlpatterns = [
    path("api/v1/", include("kawo.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # (the split view serves its start-up script from a URL: no inline script, as the CSP requires)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ical/<str:secret>.ics", ical_feed_view, name="ical-feed"),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico before (or without) reading the page's <link rel="icon">.
    path("favicon.ico", RedirectView.as_view(url=static_url("img/favicon.svg"), permanent=True)),
    path("", include("channels_app.urls")),
    path("", include("content.urls")),
    path("", include("approvals.urls")),
    path("", include("publishing.urls")),
    path("", include("analytics.urls")),
    path("", include("analytics.exports.page_urls")),
    path("", include("budgets.urls")),
    path("", include("objectives.urls")),
    path("", include("competitors.urls")),
    path("", include("inbox.urls")),
    path("", include("lifecycle.urls")),
    path("", include("dashboard.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
