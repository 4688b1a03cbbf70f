from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CSVRenderer, FinanceItemViewSet, JSONRenderer, PayoutStatementViewSet

router = SimpleRouter()
router.register("finance/items", FinanceItemViewSet, basename="finance-item")
router.register("finance/statements", PayoutStatementViewSet, basename="finance-statement")

urlpatterns = [
    # A file name, so no trailing slash; before the router's `statements/{pk}/`.
    path(
        "finance/statements/export.csv",
        PayoutStatementViewSet.as_view(
            {"get": "export"}, renderer_classes=[JSONRenderer, CSVRenderer]
        ),
        name="finance-statement-export",
    ),
    *router.urls,
]
