from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from core.api.history import HISTORY_PARAMETERS, SnapshotHistoryMixin
from core.api.pagination import KeysetPagination
from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.views import AddByURLMixin, NestedListViewSet, PagePrefetchMixin
from core.errors import ConflictError
from creators.filters import AccountFilterSet, AccountSnapshotFilterSet
from creators.metrics import account_snapshot_history
from creators.models import Account, AccountSnapshot
from creators.services.refresh_now import accounts_refresh_now
from posts.api.views import RefreshQueuedSerializer, refresh_queued_response
from settings_app.access import accounts_visible_to

from .serializers import (
    AccountAddSerializer,
    AccountBulkAddSerializer,
    AccountHistoryPointSerializer,
    AccountSerializer,
    AccountSnapshotSerializer,
)


class AccountViewSet(AddByURLMixin, PagePrefetchMixin, viewsets.ModelViewSet):
    """Tracked social accounts. Added by profile URL; only the business fields can be edited."""

    queryset = Account.objects.all()
    page_prefetch = {"boards": ("id",)}
    serializer_class = AccountSerializer
    add_serializer_class = AccountAddSerializer
    bulk_add_serializer_class = AccountBulkAddSerializer
    filterset_class = AccountFilterSet
    pagination_class = KeysetPagination
    permission_classes = [IsStaffOrApiKey, DeleteRequiresStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return accounts_visible_to(self.request.user, super().get_queryset())

    @extend_schema(request=None, responses={202: RefreshQueuedSerializer})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Refresh now: queue this account's profile refresh, due or not, for the next free
        worker (needs the right to edit the account). An account whose tracking is off answers
        409."""
        account = self.get_object()
        if not accounts_refresh_now(ids=[account.pk], actor=request.user):
            raise ConflictError(
                "Tracking is off for this account: turn it on to refresh it.",
                code="not_refreshable",
            )
        return refresh_queued_response(1, "account")


@extend_schema(parameters=HISTORY_PARAMETERS)
class AccountSnapshotViewSet(SnapshotHistoryMixin, NestedListViewSet):
    """An account's follower history, oldest first; `?granularity=` for one point per bucket."""

    queryset = AccountSnapshot.objects.order_by("captured_at", "id")
    serializer_class = AccountSnapshotSerializer
    filterset_class = AccountSnapshotFilterSet
    parent_model = Account
    parent_visible_to = staticmethod(accounts_visible_to)
    parent_field = "account"
    parent_url_kwarg = "account_pk"
    history = staticmethod(account_snapshot_history)
    history_serializer_class = AccountHistoryPointSerializer
