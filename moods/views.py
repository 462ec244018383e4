from drf_spectacular.utils import extend_schema, extend_schema_view

from cycles.daylogs import DailyLogViewSet

from .models import DailyMood
from .serializers import DailyMoodSerializer


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
class DailyMoodViewSet(DailyLogViewSet):
    """Her daily energy logs, newest first. POST is an upsert on the date."""

    queryset = DailyMood.objects.all()
    serializer_class = DailyMoodSerializer

    @extend_schema(
        operation_id="createMood",
        summary="Log her energy for a day",
        description="Log her energy for a date: 201 when created, 200 when that date's "
        "entry was replaced (notes included). Sending an entry she already has changes "
        "nothing and answers 200.",
        responses={201: DailyMoodSerializer, 200: DailyMoodSerializer},
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
