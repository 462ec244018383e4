from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.views import OwnedModelViewSet, user_write_lock

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
        operation_id="getProfile",
        summary="Her profile",
        description="Her profile; 404 until she has created one.",
        responses={200: ProfileSerializer, 404: OpenApiResponse(description="No profile yet.")},
    )
    @extend_schema(
        methods=["POST"],
        operation_id="createProfile",
        summary="Create or replace her profile",
        description="Create your profile (201), or replace it whole (200): fields left out "
        "go back to their defaults.",
        responses={201: ProfileSerializer, 200: ProfileSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        operation_id="replaceProfile",
        summary="Replace her profile",
        description="Replace your profile whole: fields left out go back to their defaults. "
        "404 before the first POST.",
        responses={200: ProfileSerializer, 404: None},
    )
    @extend_schema(
        methods=["PATCH"],
        operation_id="updateProfile",
        summary="Update some fields of her profile",
        description="Change the fields sent and keep the others. 404 before the first POST.",
        responses={200: ProfileSerializer, 404: None},
    )
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
@extend_schema_view(
    list=extend_schema(
        operation_id="listPeriods",
        summary="Her logged periods",
        description="Her periods, newest first, paginated; filter by start date with "
        "`start_after` and `start_before` (inclusive).",
    ),
    create=extend_schema(
        operation_id="createPeriod",
        summary="Log a period",
        description="Log a period: `start_date` not after her today; `end_date` (null while "
        "ongoing) on or after it, at most 15 days later. Periods never overlap, and a second "
        "period on the same `start_date` is refused (400).",
    ),
    retrieve=extend_schema(
        operation_id="getPeriod",
        summary="One of her periods",
        description="A period by its id; 404 when none of hers has that id.",
    ),
    update=extend_schema(
        operation_id="replacePeriod",
        summary="Replace a period",
        description="Replace both dates of a period; the same rules as logging one apply.",
    ),
    partial_update=extend_schema(
        operation_id="updatePeriod",
        summary="Change a period",
        description="Change the dates sent (for example set `end_date` once it is over); the "
        "same rules as logging one apply.",
    ),
    destroy=extend_schema(
        operation_id="deletePeriod",
        summary="Delete a period",
        description="Delete a period; cycle lengths, moods' phases and predictions follow.",
    ),
)
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

    @extend_schema(
        operation_id="getCycleStats",
        summary="Her cycle statistics",
        responses=CycleStatsSerializer,
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def stats(self, request):
        """Her cycle lengths and their spread, with FIGO 2018 regularity (`regular` when her
        shortest and longest recent cycles differ by at most 7 days)."""
        stats = services.cycle_stats(user=request.user)
        return Response(CycleStatsSerializer(stats).data)
