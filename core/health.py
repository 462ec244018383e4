import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health: database check failed", exc_info=True)
        # Drop the broken connection so the next request reconnects.
        connection.close_if_unusable_or_obsolete()
        return "down"
    return "ok"


def cache_status() -> str:
    if not settings.REDIS_URL:
        return "local"
    try:
        cache.set("health:probe", "1", timeout=5)
        return "ok" if cache.get("health:probe") == "1" else "down"
    except Exception:  # the Redis client raises its own exception types
        logger.warning("health: cache check failed", exc_info=True)
        return "down"


HealthSerializer = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded"]),
        "database": serializers.ChoiceField(choices=["ok", "down"]),
        "cache": serializers.ChoiceField(
            choices=["ok", "down", "local"], help_text="`local` when no REDIS_URL is set."
        ),
    },
)


class HealthView(APIView):
    """Liveness and readiness: 503 when the database or the configured cache is down."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(
        tags=["operations"],
        operation_id="getHealth",
        summary="Service health",
        responses={
            200: HealthSerializer,
            503: OpenApiResponse(HealthSerializer, description="A dependency is down."),
        },
    )
    def get(self, request):
        body = {"database": database_status(), "cache": cache_status()}
        healthy = all(value in {"ok", "local"} for value in body.values())
        body = {"status": "ok" if healthy else "degraded", **body}
        return Response(
            body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE
        )
