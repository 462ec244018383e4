import django_filters

from core.filters import DateFilter

from .models import DailyMood


class DailyMoodFilterSet(django_filters.FilterSet):
    date_after = DateFilter(
        field_name="date", lookup_expr="gte", label="Entries on or after this date."
    )
    date_before = DateFilter(
        field_name="date", lookup_expr="lte", label="Entries on or before this date."
    )

    class Meta:
        model = DailyMood
        fields = ["date_after", "date_before"]
