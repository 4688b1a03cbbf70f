from rest_framework.routers import SimpleRouter

from .views import CampaignViewSet, DeliverableViewSet, ReviewLinkViewSet, TaskViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("deliverables", DeliverableViewSet, basename="deliverable")
router.register("tasks", TaskViewSet, basename="task")
router.register("review-links", ReviewLinkViewSet, basename="review-link")

urlpatterns = router.urls
