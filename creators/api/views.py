from rest_framework import viewsets

from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.views import AddByURLMixin, NestedListViewSet
from creators.filters import AccountFilterSet, AccountSnapshotFilterSet
from creators.models import Account, AccountSnapshot

from .serializers import (
    AccountAddSerializer,
    AccountBulkAddSerializer,
    AccountSerializer,
    AccountSnapshotSerializer,
)


class AccountViewSet(AddByURLMixin, viewsets.ModelViewSet):
    """Tracked social accounts. Added by profile URL; only the business fields can be edited."""

    queryset = Account.objects.prefetch_related("boards")
    serializer_class = AccountSerializer
    add_serializer_class = AccountAddSerializer
    bulk_add_serializer_class = AccountBulkAddSerializer
    filterset_class = AccountFilterSet
    permission_classes = [IsStaffOrApiKey, DeleteRequiresStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class AccountSnapshotViewSet(NestedListViewSet):
    """An account's follower history, oldest first."""

    queryset = AccountSnapshot.objects.order_by("captured_at", "id")
    serializer_class = AccountSnapshotSerializer
    filterset_class = AccountSnapshotFilterSet
    parent_queryset = Account.objects.all()
    parent_field = "account"
    parent_url_kwarg = "account_pk"
