"""`/api/v1/analytics/…`: thin views over analytics.queries."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError

from .. import queries
from .serializers import (
    AnalyticsParamsSerializer,
    AnswerSerializer,
    CompareAnswerSerializer,
    ContentAnswerSerializer,
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


for _view, _summary in (
    (OverviewView, "Analytics overview"),
    (GrowthView, "Follower growth"),
    (EngagementView, "Engagement"),
    (ContentView, "Content: top and bottom posts"),
    (CompareView, "Per-platform comparison"),
):
    _documented(_view, _summary, _view.answer_serializer)
