from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from planher.views import OwnedModelViewSet, user_write_lock

from . import services
from .filters import PeriodFilterSet
from .models import Period, Profile
from .serializers import CycleStatsSerializer, PeriodSerializer, ProfileSerializer


@extend_schema(tags=["profile"])
class ProfileViewSet(viewsets.GenericViewSet):
    """Her profile: one per user, at `/profiles/me`."""

    serializer_class = ProfileSerializer
    queryset = Profile.objects.none()
    pagination_class = None

    def get_object(self):
        profile = Profile.objects.filter(user=self.request.user).first()
        if profile is None:
            raise NotFound("You have no profile yet: POST /profiles/me creates it.")
        return profile

    @extend_schema(
        methods=["GET"],
        responses={200: ProfileSerializer, 404: OpenApiResponse(description="No profile yet.")},
    )
    @extend_schema(
        methods=["POST"],
        description="Create your profile, or replace it whole.",
        responses={201: ProfileSerializer, 200: ProfileSerializer},
    )
    @extend_schema(methods=["PUT", "PATCH"], responses={200: ProfileSerializer, 404: None})
    @action(detail=False, methods=["get", "post", "put", "patch"], url_path="me")
    def me(self, request):
        if request.method == "GET":
            return Response(self.get_serializer(self.get_object()).data)
        with user_write_lock(request.user):
            if request.method == "POST":
                instance = Profile.objects.filter(user=request.user).first()
                partial = False
            else:
                instance = self.get_object()
                partial = request.method == "PATCH"
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            if not partial and instance is not None:  # POST and PUT replace it whole
                serializer.instance = serializer.replace(instance, serializer.validated_data)
            else:
                serializer.save(user=request.user)
        created = request.method == "POST" and instance is None
        return Response(
            serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=["periods"])
class PeriodViewSet(OwnedModelViewSet):
    """Her logged periods, newest first."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet
    integrity_errors = {
        "cycles_period_unique_start_per_user": {
            "start_date": ["You already logged a period starting on this date."]
        },
        "cycles_period_no_overlap": {
            "non_field_errors": ["These dates overlap another period you logged."]
        },
    }

    def get_queryset(self):
        next_start = (
            Period.objects.filter(user=OuterRef("user"), start_date__gt=OuterRef("start_date"))
            .order_by("start_date")
            .values("start_date")[:1]
        )
        return super().get_queryset().annotate(next_start=Subquery(next_start))

    @extend_schema(responses=CycleStatsSerializer, filters=False)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def stats(self, request):
        """Her cycle statistics, with FIGO 2018 regularity."""
        stats = services.cycle_stats(user=request.user)
        return Response(CycleStatsSerializer(stats).data)
