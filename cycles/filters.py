import django_filters

from core.filters import DateFilter

from .models import Period


class PeriodFilterSet(django_filters.FilterSet):
    start_after = DateFilter(
        field_name="start_date", lookup_expr="gte", label="Periods starting on or after this date."
    )
    start_before = DateFilter(
        field_name="start_date", lookup_expr="lte", label="Periods starting on or before this date."
    )

    class Meta:
        model = Period
        fields = ["start_after", "start_before"]
