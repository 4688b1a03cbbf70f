from rest_framework.routers import SimpleRouter

from .views import (
    ApiKeyViewSet,
    BoardViewSet,
    CategoryViewSet,
    ClientViewSet,
    EditorViewSet,
    SubcategoryViewSet,
)

router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")
router.register("editors", EditorViewSet, basename="editor")
router.register("boards", BoardViewSet, basename="board")
router.register("categories", CategoryViewSet, basename="category")
router.register("subcategories", SubcategoryViewSet, basename="subcategory")
router.register("api-keys", ApiKeyViewSet, basename="api-key")

urlpatterns = router.urls
