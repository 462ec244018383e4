from django.contrib import admin

from core.admin import UserDataAdmin

from .models import DailyMood


@admin.register(DailyMood)
class DailyMoodAdmin(UserDataAdmin):
    """Notes are health data in her own words: kept out of the list and of search;
    staff who open one entry to support her can read them, not edit them."""

    list_display = ["user", "date", "energy_level", "updated_at"]
    list_filter = ["energy_level"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"
    readonly_fields = ["notes", "created_at", "updated_at"]
