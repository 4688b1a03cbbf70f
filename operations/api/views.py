from django.db import DatabaseError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from operations.queries import health_details, health_summary


class HealthView(APIView):
    """Is the machine running: `up` (HTTP 200) when the database answers and a worker beat
    within HEALTH_WORKER_STALE_SECONDS, else `down` (HTTP 503). Open to monitors, which see
    only that; staff also see each job, the dead letters, the providers' quota state, the AI
    and the data's freshness, and the problems found."""

    permission_classes = [AllowAny]  # details only for staff, below

    def perform_authentication(self, request):
        pass  # lazily, in get(): with the database down, reading the session would fail

    @staticmethod
    def _is_staff(request) -> bool:
        try:
            user = request.user
            return bool(user and user.is_authenticated and user.is_active and user.is_staff)
        except DatabaseError:
            return False

    @extend_schema(
        responses={200: OpenApiResponse(description="up"), 503: OpenApiResponse(description="down")}
    )
    def get(self, request):
        if self._is_staff(request):
            body = health_details()
        else:
            summary = health_summary()
            body = {"status": summary["status"]}
        code = status.HTTP_200_OK if body["status"] == "up" else status.HTTP_503_SERVICE_UNAVAILABLE
        return Response(body, status=code)
