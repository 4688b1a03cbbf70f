"""`/api/v1/analytics/…`: thin views over analytics.queries."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError

from .. import queries
from ..insights import CARD_SCOPES, NO_POSTS, scope_insight_card
from .serializers import (
    AnalyticsParamsSerializer,
    AnswerSerializer,
    CompareAnswerSerializer,
    ContentAnswerSerializer,
    InsightAnswerSerializer,
)


class AnalyticsView(APIView):
    """Base: validates the parameters, resolves the scope for the user, answers `figures`."""

    # Every role that sees accounts; what each sees is its own accounts (role scoping).
    action_permissions = {"*": ["creators.view_account"]}
    answer_serializer = AnswerSerializer
    figures = staticmethod(queries.overview)

    def answer(self, request, params: dict, accounts) -> dict:
        return self.figures(accounts=accounts, period=params["period"])

    def get(self, request):
        params = AnalyticsParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            accounts = queries.scope_accounts(
                user=request.user,
                scope=data["scope"],
                scope_id=data["scope_id"],
                platforms=data.get("platforms"),
            )
        except queries.AnalyticsQueryError as error:
            raise DomainError(error.message, fields={error.field: [error.message]}) from error
        return Response(self.answer_serializer(self.answer(request, data, accounts)).data)


def _documented(view_class, summary: str, serializer):
    """Each endpoint's own `get` (drf-spectacular annotates the function object)."""

    def get(self, request):
        return AnalyticsView.get(self, request)

    view_class.get = extend_schema(
        summary=summary, parameters=[AnalyticsParamsSerializer], responses=serializer
    )(get)
    return view_class


class OverviewView(AnalyticsView):
    """Headline figures, the change vs the previous period, followers and views per bucket."""

    figures = staticmethod(queries.overview)


class GrowthView(AnalyticsView):
    """Followers at each bucket's end and gained in it."""

    figures = staticmethod(queries.growth)


class EngagementView(AnalyticsView):
    """Views, likes, comments and shares gained per bucket, with the engagement rate."""

    figures = staticmethod(queries.engagement)


class ContentView(AnalyticsView):
    """Posts published per bucket; the top and bottom posts by views gained, with AI labels."""

    answer_serializer = ContentAnswerSerializer

    def answer(self, request, params: dict, accounts) -> dict:
        return queries.content(accounts=accounts, period=params["period"], user=request.user)


class CompareView(AnalyticsView):
    """The period's figures per platform side by side."""

    answer_serializer = CompareAnswerSerializer
    figures = staticmethod(queries.compare)


class InsightsView(AnalyticsView):
    """The "top 3 posts and why" card of a client, a creator or a campaign (one of them is
    required): the posts with the most views gained relative to their account's median, what
    they share, and the AI's explanation from those facts only. Without AI, or when its answer
    does not keep to the facts, the facts alone and `note` says why."""

    answer_serializer = InsightAnswerSerializer

    def answer(self, request, params: dict, accounts) -> dict:
        kind = params["scope"]
        if kind not in CARD_SCOPES:
            field = kind or "client"
            raise ValidationError(
                {field: ["An insight card needs one of client, creator or campaign."]}
            )
        period = params["period"]
        scope, card = scope_insight_card(
            kind=kind,
            scope_id=params["scope_id"],
            period=period,
            accounts=accounts,
            user=request.user,
        )
        return {
            "scope": {"kind": scope.kind, "id": scope.id, "name": scope.name},
            "period": period.as_dict(),
            "posts": [
                {
                    "id": top.post.pk,
                    "url": top.post.url,
                    "platform": top.post.platform,
                    "account": top.post.account_id,
                    "username": top.post.account.username or top.post.username,
                    "post_date": top.post.post_date,
                    "label": top.facts.label,
                    "views_gained": top.views_gained,
                    "account_median": top.median,
                    "times_median": top.times_median,
                    "category": top.facts.category,
                    "subcategories": list(top.facts.subcategories),
                    "reel_style": top.facts.reel_style,
                    "format": top.facts.format,
                    "length": top.facts.length,
                    "posting_hour": top.facts.posting_hour,
                }
                for top in card.posts
            ],
            "shared": card.shared,
            "explanation": card.explanation or None,
            "note": card.note if card.posts else NO_POSTS,
        }


for _view, _summary in (
    (OverviewView, "Analytics overview"),
    (GrowthView, "Follower growth"),
    (EngagementView, "Engagement"),
    (ContentView, "Content: top and bottom posts"),
    (CompareView, "Per-platform comparison"),
    (InsightsView, "Insight card: top 3 posts and why"),
):
    _documented(_view, _summary, _view.answer_serializer)
