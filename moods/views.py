from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.views import OwnedModelViewSet, user_write_lock

from .filters import DailyMoodFilterSet
from .models import DailyMood
from .serializers import DailyMoodSerializer

DUPLICATE_DATE = {"date": ["You already logged your energy for this date."]}


@extend_schema(tags=["moods"])
@extend_schema_view(
    list=extend_schema(
        operation_id="listMoods",
        summary="Her daily energy logs",
        description="Her energy logs, newest first, paginated; filter by date with "
        "`date_after` and `date_before` (inclusive). `day_of_cycle` and `phase` follow her "
        "periods as they are now.",
    ),
    retrieve=extend_schema(
        operation_id="getMood",
        summary="One energy log",
        description="An energy log by its id; 404 when none of hers has that id.",
    ),
    update=extend_schema(
        operation_id="replaceMood",
        summary="Replace an energy log",
        description="Replace an entry; its date may not be after her today nor another "
        "entry's date.",
    ),
    partial_update=extend_schema(
        operation_id="updateMood",
        summary="Change an energy log",
        description="Change the fields sent and keep the others.",
    ),
    destroy=extend_schema(
        operation_id="deleteMood",
        summary="Delete an energy log",
        description="Delete an entry by its id; later predictions no longer learn from it.",
    ),
)
class DailyMoodViewSet(OwnedModelViewSet):
    """Her daily energy logs, newest first. POST is an upsert on the date."""

    queryset = DailyMood.objects.all()
    serializer_class = DailyMoodSerializer
    filterset_class = DailyMoodFilterSet
    integrity_errors = {"moods_dailymood_one_per_user_and_day": DUPLICATE_DATE}

    @extend_schema(
        operation_id="createMood",
        summary="Log her energy for a day",
        description="Log her energy for a date: 201 when created, 200 when that date's "
        "entry was replaced (notes included). Sending an entry she already has changes "
        "nothing and answers 200.",
        responses={201: DailyMoodSerializer, 200: DailyMoodSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {"energy_level": data["energy_level"], "notes": data.get("notes", "")}
        logged = self.get_queryset().filter(date=data["date"]).first()
        if logged is not None and all(getattr(logged, k) == v for k, v in fields.items()):
            # A repeated log (a retry, a double tap): no write, so her cached
            # answers and her model stay as they are.
            return Response(self.get_serializer(logged).data, status=status.HTTP_200_OK)
        with user_write_lock(request.user, self.integrity_errors):
            # Under her lock no other request of hers can log this date meanwhile.
            mood = self.get_queryset().filter(date=data["date"]).first()
            created = mood is None
            if created:
                mood = DailyMood.objects.create(user=request.user, date=data["date"], **fields)
            else:
                for name, value in fields.items():
                    setattr(mood, name, value)
                mood.save(update_fields=[*fields, "updated_at"])
        return Response(
            self.get_serializer(mood).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_update(self, serializer):
        date = serializer.validated_data.get("date")
        if date is not None and (
            self.get_queryset().filter(date=date).exclude(pk=serializer.instance.pk).exists()
        ):
            raise ValidationError(DUPLICATE_DATE)
        serializer.save()
