from django.urls import path

from .views import HealthView

urlpatterns = [
    path("operations/health/", HealthView.as_view(), name="operations-health"),
]
