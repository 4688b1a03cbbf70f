"""POST /api/v1/ai/ask/: a question in, the answer with its cited rows and tool calls out."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ai.ask import MAX_QUESTION_CHARS
from core.api.errors import error_response
from core.api.permissions import IsStaffOrApiKey

from .services import workspace_ask, workspace_question_check

ASK_PERMISSIONS = ("posts.view_post",)


class AskRequestSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=MAX_QUESTION_CHARS, trim_whitespace=True)

    def validate_question(self, value: str) -> str:
        return workspace_question_check(value)


class CitationSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text='The row: "account:12", "post:7", "task:3"…')
    label = serializers.CharField()
    link = serializers.CharField(help_text="The row's admin page.")
    tool_call_id = serializers.CharField()


class ToolCallSerializer(serializers.Serializer):
    name = serializers.CharField()
    args = serializers.DictField()
    rows = serializers.IntegerField(help_text="How many rows the tool returned.")
    error = serializers.CharField(required=False, help_text="Why the call was refused.")


class AskAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField()
    answerable = serializers.BooleanField(
        help_text='False: no tool could answer ("I can\'t answer that from CreatorOps data").'
    )
    citations = CitationSerializer(many=True)
    tool_calls = ToolCallSerializer(many=True)
    model = serializers.CharField()


class AskErrorSerializer(serializers.Serializer):
    error = serializers.DictField(help_text='{"code", "message", "fields"}')


AI_STATUS = {
    "ai_not_configured": status.HTTP_503_SERVICE_UNAVAILABLE,
    "ai_unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
    "ai_invalid_answer": status.HTTP_502_BAD_GATEWAY,
    "ai_rejected": status.HTTP_502_BAD_GATEWAY,
}


class MayAsk(IsStaffOrApiKey):
    """Asking only reads (the tools write nothing): a read-only API key may ask too."""

    def has_permission(self, request, view) -> bool:
        if getattr(getattr(request, "auth", None), "is_read_only", False):
            user = request.user
            return bool(user and user.is_active and user.has_perms(ASK_PERMISSIONS))
        return super().has_permission(request, view)


class AskView(APIView):
    """Ask the workspace a question in plain words. The model answers only through read-only
    tools scoped to the caller's role (an editor's own accounts and posts, a creator's own
    rows) and cites the rows it used; a question no tool covers gets "I can't answer that from
    CreatorOps data". AI not configured or unavailable: 503 with the reason; an unusable
    answer: 502."""

    action_permissions = {"*": list(ASK_PERMISSIONS)}
    permission_classes = [MayAsk]

    @extend_schema(
        request=AskRequestSerializer,
        responses={
            200: AskAnswerSerializer,
            400: OpenApiResponse(AskErrorSerializer, description="Empty or too long question."),
            502: OpenApiResponse(
                AskErrorSerializer, description="The model's answer was unusable."
            ),
            503: OpenApiResponse(
                AskErrorSerializer, description="AI not configured or unavailable."
            ),
        },
        operation_id="ai_ask",
    )
    def post(self, request):
        body = AskRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = workspace_ask(user=request.user, question=body.validated_data["question"])
        if outcome.answer is None:
            response = error_response(
                outcome.error_code, outcome.error, status_code=AI_STATUS[outcome.error_code]
            )
            if outcome.retry_after:
                response["Retry-After"] = str(max(1, round(outcome.retry_after)))
            return response
        answer = outcome.answer
        return Response(
            AskAnswerSerializer(
                {
                    "question": outcome.question,
                    "answer": answer.answer,
                    "answerable": answer.answerable,
                    "citations": [vars(c) for c in answer.citations],
                    "tool_calls": outcome.tool_calls,
                    "model": answer.model,
                }
            ).data
        )
