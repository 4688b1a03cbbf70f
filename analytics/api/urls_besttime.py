"""The best-time, audience and mentions endpoints (included by config/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .audience_mentions import AudienceSnapshotViewSet, MentionViewSet
from .best_time import BestTimeView

router = SimpleRouter()
router.register("analytics/mentions", MentionViewSet, basename="analytics-mention")
router.register("analytics/audience", AudienceSnapshotViewSet, basename="analytics-audience")

urlpatterns = [
    path("analytics/best-time/", BestTimeView.as_view(), name="analytics-best-time"),
    *router.urls,
]
