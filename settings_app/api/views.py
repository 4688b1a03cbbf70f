from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from settings_app.access import api_keys_visible_to
from settings_app.models import ApiKey, Board, Category, Client, Editor, Subcategory
from settings_app.services import api_key_revoke

from .serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    BoardSerializer,
    CategorySerializer,
    ClientSerializer,
    EditorSerializer,
    SubcategorySerializer,
)


class ClientViewSet(viewsets.ModelViewSet):
    """The agency's clients. Names are unique, whatever the case."""

    queryset = Client.objects.all()
    serializer_class = ClientSerializer
    filterset_fields = ["is_active"]


class EditorViewSet(viewsets.ModelViewSet):
    """Editors and clippers; optionally linked to a login user."""

    queryset = Editor.objects.all()
    serializer_class = EditorSerializer
    filterset_fields = ["is_active", "user"]


class BoardViewSet(viewsets.ModelViewSet):
    """Boards (the seed's `belongs_to`): groupings of posts and accounts."""

    queryset = Board.objects.all()
    serializer_class = BoardSerializer


class CategoryViewSet(viewsets.ModelViewSet):
    """Top-level content categories of the AI taxonomy, with their sub-categories."""

    queryset = Category.objects.prefetch_related("subcategories")
    serializer_class = CategorySerializer


class SubcategoryViewSet(viewsets.ModelViewSet):
    """Sub-categories; a name is unique within its category."""

    queryset = Subcategory.objects.select_related("category")
    serializer_class = SubcategorySerializer
    filterset_fields = ["category"]


class ApiKeyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The current user's API keys (Owners see and revoke everyone's). The raw key is shown
    once; a new key is always the caller's own."""

    # The model's permissions apply: view, add (create) and change (revoke).
    queryset = ApiKey.objects.all()
    serializer_class = ApiKeySerializer

    def get_queryset(self):
        keys = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return keys.none()
        return api_keys_visible_to(self.request.user, keys)

    def get_serializer_class(self):
        return ApiKeyCreateSerializer if self.action == "create" else ApiKeySerializer

    @extend_schema(responses={201: ApiKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        if request.auth is not None:
            # A leaked key must not mint keys that outlive its own revocation.
            raise PermissionDenied("API keys are created by a signed-in person, not by a key.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.create_key(user=request.user)
        return Response(ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ApiKeySerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        key = api_key_revoke(key=self.get_object())
        return Response(ApiKeySerializer(key).data)
