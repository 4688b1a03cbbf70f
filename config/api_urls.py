from django.urls import include, path, re_path

from core.api.views import UnknownEndpointView

urlpatterns = [
    path("", include("settings_app.api.urls")),
    path("", include("posts.api.urls")),
    path("", include("creators.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("operations.api.urls")),
    path("", include("publishing.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("workflow.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("analytics.api.urls_besttime")),
    path("", include("analytics.ask.urls")),
    path("", include("analytics.api.report_urls")),
    # Last: only paths ending in "/", so APPEND_SLASH still redirects "/api/v1/posts".
    re_path(r"^(.*/)?$", UnknownEndpointView.as_view()),
]
