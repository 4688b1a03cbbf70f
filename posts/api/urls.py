from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AIStatusView, PostSnapshotViewSet, PostViewSet

router = SimpleRouter()
router.register("posts", PostViewSet, basename="post")
router.register(
    r"posts/(?P<post_pk>[^/.]+)/snapshots", PostSnapshotViewSet, basename="post-snapshot"
)

urlpatterns = [
    *router.urls,
    path("ai/status/", AIStatusView.as_view(), name="ai-status"),
]
