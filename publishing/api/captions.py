"""AI captions for a composer draft: `POST /api/v1/composer/captions/`. Thin: the rules are
publishing/services/captions.py."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ai.captions import MAX_VARIANTS, TONES
from core.api.permissions import IsStaffOrApiKey
from core.api.schema import AI_UNAVAILABLE
from core.api.serializers import StrictInputMixin
from core.errors import DomainError
from posts.choices import Platform
from settings_app.models import Client

from ..models import MediaAsset
from ..queries import media_visible_to
from ..services.captions import caption_as_dict, composer_captions


class RepurposeSerializer(StrictInputMixin, serializers.Serializer):
    caption = serializers.CharField(max_length=5000)
    hashtags = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list, max_length=60
    )
    platform = serializers.ChoiceField(choices=Platform.choices, help_text="Written for this one.")


class ComposerCaptionsRequestSerializer(StrictInputMixin, serializers.Serializer):
    brief = serializers.CharField(
        max_length=4000,
        required=False,
        default="",
        allow_blank=True,
        help_text="What the post is about (required unless `repurpose` is given).",
    )
    repurpose = RepurposeSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="A caption written for another platform, to rewrite for `platform`.",
    )
    platform = serializers.ChoiceField(choices=Platform.choices)
    tone = serializers.ChoiceField(choices=TONES, default="professional")
    variants = serializers.IntegerField(min_value=1, max_value=MAX_VARIANTS, default=1)
    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(),
        required=False,
        allow_null=True,
        help_text="Whose brand voice, guidelines and terms to follow.",
    )
    media = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=35,
        help_text="The draft's media ids (their format and duration are given to the model).",
    )


class ComposerCaptionSerializer(serializers.Serializer):
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    hook = serializers.CharField()
    trimmed = serializers.BooleanField(help_text="Cut to fit the platform after one retry.")
    flags = serializers.ListField(child=serializers.CharField(), help_text="What was cut.")


class ComposerCaptionsSerializer(serializers.Serializer):
    captions = ComposerCaptionSerializer(many=True)


class ComposerCaptionsView(APIView):
    """AI caption suggestions for a draft, within the platform's caption and hashtag limits, or
    (`repurpose`) a caption written for another platform rewritten for this one; nothing is
    saved. 503 when the AI is not configured or not answering (the message says
    why)."""

    permission_classes = [IsStaffOrApiKey]
    action_permissions = {"*": ["publishing.add_scheduledpost"]}

    @extend_schema(
        request=ComposerCaptionsRequestSerializer,
        responses={200: ComposerCaptionsSerializer, 503: AI_UNAVAILABLE},
    )
    def post(self, request):
        data = ComposerCaptionsRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ids = fields.pop("media")
        media = list(media_visible_to(request.user, MediaAsset.objects.filter(pk__in=ids)))
        missing = sorted(set(ids) - {m.pk for m in media})
        if missing:
            raise DomainError(
                "Unknown media.", fields={"media": [f"Unknown: {', '.join(map(str, missing))}."]}
            )
        captions = composer_captions(user=request.user, media=media, **fields)
        return Response({"captions": [caption_as_dict(c) for c in captions]})
