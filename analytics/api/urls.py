from django.urls import path

from .views import CompareView, ContentView, EngagementView, GrowthView, InsightsView, OverviewView

urlpatterns = [
    path("analytics/overview/", OverviewView.as_view(), name="analytics-overview"),
    path("analytics/growth/", GrowthView.as_view(), name="analytics-growth"),
    path("analytics/engagement/", EngagementView.as_view(), name="analytics-engagement"),
    path("analytics/content/", ContentView.as_view(), name="analytics-content"),
    path("analytics/compare/", CompareView.as_view(), name="analytics-compare"),
    path("analytics/insights/", InsightsView.as_view(), name="analytics-insights"),
]
