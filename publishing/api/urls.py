from rest_framework.routers import SimpleRouter

from .views import CalendarViewSet, ConnectionViewSet, MediaAssetViewSet, ScheduledPostViewSet

router = SimpleRouter()
router.register("scheduled-posts", ScheduledPostViewSet, basename="scheduled-post")
router.register("calendar", CalendarViewSet, basename="calendar")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("media", MediaAssetViewSet, basename="media-asset")

urlpatterns = router.urls
