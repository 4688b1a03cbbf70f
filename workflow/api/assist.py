"""Serializers of the AI assistance endpoints on tasks and campaigns (workflow/api/views.py):
captions, quality check, thread summary, brief to tasks and its confirmation."""

from rest_framework import serializers

from ai.briefs import MAX_QUANTITY
from ai.captions import MAX_VARIANTS, TONES
from core.api.serializers import StrictInputMixin
from posts.choices import Platform

from ..choices import DeliverableKind
from .serializers import CaptionSerializer


class AICaptionsRequestSerializer(StrictInputMixin, serializers.Serializer):
    tone = serializers.ChoiceField(
        choices=TONES, default="professional", help_text="`brand`: the client's brand voice."
    )
    variants = serializers.IntegerField(min_value=1, max_value=MAX_VARIANTS, default=1)


class CaptionSuggestionSerializer(serializers.Serializer):
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    hook = serializers.CharField()
    trimmed = serializers.BooleanField(help_text="Cut to fit the platform after one retry.")
    flags = serializers.ListField(child=serializers.CharField(), help_text="What was cut.")


class AICaptionsSerializer(serializers.Serializer):
    versions = CaptionSerializer(many=True, help_text="The new AI-generated caption versions.")
    suggestions = CaptionSuggestionSerializer(many=True)


class QualityFlagSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The brand guideline or platform rule it rests on.")
    source = serializers.ChoiceField(choices=["guideline", "platform"])
    severity = serializers.ChoiceField(choices=["warning", "problem"])
    problem = serializers.CharField()
    suggestion = serializers.CharField(allow_blank=True)


class CaptionCheckSerializer(serializers.Serializer):
    caption_number = serializers.IntegerField(source="caption.number")
    flags = QualityFlagSerializer(many=True)
    model = serializers.CharField()
    prompt_version = serializers.CharField()
    checked_at = serializers.DateTimeField()


class SummaryLineSerializer(serializers.Serializer):
    text = serializers.CharField()
    comment_ids = serializers.ListField(child=serializers.IntegerField())


class ThreadSummarySerializer(serializers.Serializer):
    decisions = SummaryLineSerializer(many=True)
    open_requests = SummaryLineSerializer(many=True)
    comments_used = serializers.IntegerField()
    model = serializers.CharField()
    prompt_version = serializers.CharField()


class BriefRequestSerializer(StrictInputMixin, serializers.Serializer):
    creators = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=30,
        help_text="Creator ids to plan for (default: the campaign's and its client's creators).",
    )


class ProposedDeliverableSerializer(StrictInputMixin, serializers.Serializer):
    creator = serializers.IntegerField(min_value=1)
    creator_name = serializers.CharField(read_only=True)
    platform = serializers.ChoiceField(choices=Platform.choices)
    kind = serializers.ChoiceField(choices=DeliverableKind.choices)
    quantity = serializers.IntegerField(read_only=True)
    task_titles = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=1, max_length=MAX_QUANTITY
    )


class BriefProposalSerializer(serializers.Serializer):
    deliverables = ProposedDeliverableSerializer(many=True)
    model = serializers.CharField()
    prompt_version = serializers.CharField()


class BriefConfirmSerializer(StrictInputMixin, serializers.Serializer):
    deliverables = ProposedDeliverableSerializer(many=True, allow_empty=False)
    due = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BriefConfirmAnswerSerializer(serializers.Serializer):
    tasks = serializers.ListField(child=serializers.IntegerField(), help_text="Created task ids.")
