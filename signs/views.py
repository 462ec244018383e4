from drf_spectacular.utils import extend_schema, extend_schema_view

from cycles.daylogs import DailyLogViewSet

from .models import Sign
from .serializers import SignSerializer


@extend_schema(tags=["signs"])
@extend_schema_view(
    list=extend_schema(
        operation_id="listSigns",
        summary="Her fertility signs",
        description="Her fertility signs (temperature, LH test, cervical mucus, notes), "
        "newest first, paginated; filter by date with `date_after` and `date_before` "
        "(inclusive). `day_of_cycle` and `phase` follow her periods as they are now.",
    ),
    retrieve=extend_schema(
        operation_id="getSign",
        summary="One day's fertility signs",
        description="A signs entry by its id; 404 when none of hers has that id.",
    ),
    update=extend_schema(
        operation_id="replaceSign",
        summary="Replace a day's fertility signs",
        description="Replace a signs entry; its date may not be after her today nor another "
        "entry's date, and the entry must keep at least one sign or a note.",
    ),
    partial_update=extend_schema(
        operation_id="updateSign",
        summary="Change a day's fertility signs",
        description="Change the signs sent and keep the others; an entry left with no sign "
        "and no note is refused (delete it instead).",
    ),
    destroy=extend_schema(
        operation_id="deleteSign",
        summary="Delete a day's fertility signs",
        description="Delete a signs entry by its id.",
    ),
)
class SignViewSet(DailyLogViewSet):
    """Her fertility signs, newest first. POST is a partial upsert on the date."""

    queryset = Sign.objects.all()
    serializer_class = SignSerializer
    # A morning temperature and an afternoon LH test land in one entry.
    partial_upsert = True

    @extend_schema(
        operation_id="createSign",
        summary="Log fertility signs for a day",
        description="Log signs for a date: the fields sent are set, the others kept. 201 "
        "when the date's entry is created, 200 when it was updated (or already said so). "
        "A log with no sign and no note is a 400, as is a date after her today.",
        responses={201: SignSerializer, 200: SignSerializer},
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
