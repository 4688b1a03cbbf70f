from rest_framework.routers import SimpleRouter

from .media import MediaAssetViewSet
from .views import CalendarViewSet, ConnectionViewSet, ScheduledPostViewSet

router = SimpleRouter()
router.register("scheduled-posts", ScheduledPostViewSet, basename="scheduled-post")
router.register("calendar", CalendarViewSet, basename="calendar")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("media", MediaAssetViewSet, basename="media-asset")

urlpatterns = router.urls
