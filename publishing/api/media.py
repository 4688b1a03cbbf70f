"""The media library's API (specs/publishing.md §2 and §6): list, upload (multipart, or the
confirmation of a presigned direct upload), presign, delete unused. The work is in
publishing.services.media."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.parsers import JSONParser
from core.api.permissions import DeleteRequiresStaff, IsStaffOrApiKey
from core.api.serializers import StrictInputMixin
from publishing.filters import MediaAssetFilterSet
from publishing.models import MediaAsset
from publishing.queries import media_visible_to
from publishing.services.media import (
    media_asset_create,
    media_asset_delete,
    media_upload_confirm,
    media_upload_presign,
)

from .serializers import MediaAssetSerializer

UPLOAD = "publishing.add_mediaasset"


class MediaUploadSerializer(StrictInputMixin, serializers.Serializer):
    """A multipart `file`, or (JSON) the `upload_id` of a finished direct upload."""

    file = serializers.FileField(required=False, allow_empty_file=False, use_url=False)
    upload_id = serializers.UUIDField(required=False)

    def validate(self, data):
        # One of the two, given: an empty `upload_id` beside a file is not "no upload_id".
        sent = [name for name in ("file", "upload_id") if name in self.initial_data]
        if len(sent) != 1 or bool(data.get("file")) == bool(data.get("upload_id")):
            raise serializers.ValidationError(
                {"file": ["Send a file (multipart), or the upload_id of a direct upload."]}
            )
        return data


class PresignSerializer(StrictInputMixin, serializers.Serializer):
    filename = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    content_type = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )


PRESIGNED = inline_serializer(
    "PresignedUpload",
    {
        "upload_id": serializers.UUIDField(),
        "url": serializers.URLField(),
        "method": serializers.CharField(),
        "headers": serializers.DictField(child=serializers.CharField()),
        "expires_at": serializers.DateTimeField(),
    },
)


class MediaAssetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The media library. Uploading the same bytes again answers the existing asset (200);
    deleting is refused (409) while a scheduled post uses the media."""

    queryset = MediaAsset.objects.all()
    serializer_class = MediaAssetSerializer
    filterset_class = MediaAssetFilterSet
    permission_classes = [IsStaffOrApiKey, DeleteRequiresStaff]
    parser_classes = [MultiPartParser, JSONParser]
    action_permissions = {"presign": [UPLOAD]}

    def get_queryset(self):
        return media_visible_to(self.request.user, super().get_queryset())

    @extend_schema(
        request={
            "multipart/form-data": MediaUploadSerializer,
            "application/json": MediaUploadSerializer,
        },
        responses={
            201: MediaAssetSerializer,
            200: OpenApiResponse(MediaAssetSerializer, description="The same bytes: that asset."),
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload an image or a video (multipart `file`), or confirm a direct upload
        (`{"upload_id": …}`): it is probed, checked against the size caps, and stored once."""
        data = MediaUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("upload_id"):
            asset, created = media_upload_confirm(
                upload_id=data.validated_data["upload_id"], user=request.user
            )
        else:
            asset, created = media_asset_create(file=data.validated_data["file"], user=request.user)
        return Response(
            self.get_serializer(asset).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=PresignSerializer, responses={201: PRESIGNED})
    @action(detail=False, methods=["post"], parser_classes=[JSONParser])
    def presign(self, request):
        """Start a direct upload to S3 storage: PUT the bytes to `url` with `headers` before
        `expires_at`, then POST `{"upload_id": …}` to /api/v1/media/. Needs S3 storage."""
        data = PresignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload, put = media_upload_presign(user=request.user, **data.validated_data)
        return Response(
            {
                "upload_id": str(upload.upload_id),
                "url": put.url,
                "method": "PUT",
                "headers": put.headers,
                "expires_at": put.expires_at,
            },
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, instance):
        media_asset_delete(instance)
