from django.urls import path
from rest_framework.routers import SimpleRouter

from .captions import ComposerCaptionsView
from .media import MediaAssetViewSet
from .scheduling_extra import ConnectionBudgetView, ScheduledPostImportView, ScheduledPostQueueView
from .views import CalendarViewSet, ConnectionViewSet, ScheduledPostViewSet

router = SimpleRouter()
router.register("scheduled-posts", ScheduledPostViewSet, basename="scheduled-post")
router.register("calendar", CalendarViewSet, basename="calendar")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("media", MediaAssetViewSet, basename="media-asset")

# Before the router's: `scheduled-posts/<pk>/` would take "queue" and "import" as ids.
urlpatterns = [
    path("scheduled-posts/queue/", ScheduledPostQueueView.as_view(), name="scheduled-post-queue"),
    path(
        "scheduled-posts/import/", ScheduledPostImportView.as_view(), name="scheduled-post-import"
    ),
    path("composer/captions/", ComposerCaptionsView.as_view(), name="composer-captions"),
    path("connections/<int:pk>/budget/", ConnectionBudgetView.as_view(), name="connection-budget"),
    *router.urls,
]
