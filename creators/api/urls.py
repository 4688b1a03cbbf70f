from rest_framework.routers import SimpleRouter

from .views import AccountSnapshotViewSet, AccountViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register(
    r"accounts/(?P<account_pk>[^/.]+)/snapshots",
    AccountSnapshotViewSet,
    basename="account-snapshot",
)

urlpatterns = router.urls
