from django.contrib import admin

from cycles.daylogs import DailyLogAdmin

from .models import DailyMood


@admin.register(DailyMood)
class DailyMoodAdmin(DailyLogAdmin):
    """Notes are health data in her own words: kept out of the list and of search;
    staff who open one entry to support her can read them, not edit them."""

    list_display = ["user", "date", "energy_level", "updated_at"]
    list_filter = ["energy_level"]
    readonly_fields = ["notes", "created_at", "updated_at"]
