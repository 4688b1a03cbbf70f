from rest_framework.routers import SimpleRouter

from .views import PostSnapshotViewSet, PostViewSet

router = SimpleRouter()
router.register("posts", PostViewSet, basename="post")
router.register(
    r"posts/(?P<post_pk>[^/.]+)/snapshots", PostSnapshotViewSet, basename="post-snapshot"
)

urlpatterns = router.urls
