from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # The clients' review links (no login): workflow/views.py.
    path("review/", include("workflow.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # A person reads the docs in a browser: not signed in, the admin's login page, then back.
    path(
        "api/docs/",
        staff_member_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

# `make run` shows uploaded drafts (task page, board, review links) from MEDIA_ROOT itself; in
# production the proxy or S3 serves MEDIA_URL (deploy/production.env.example).
if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$",
            lambda request, path: serve(request, path, document_root=settings.MEDIA_ROOT),
        )
    )
