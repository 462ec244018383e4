from django.contrib import admin

from core.admin import UserDataAdmin

from .models import Period, Profile


@admin.register(Profile)
class ProfileAdmin(UserDataAdmin):
    """Support staff see what shapes her predictions; nothing here is free text."""

    list_display = ["user", "cycle_length", "luteal_length", "menses_length", "updated_at"]
    list_filter = ["unusual_bleeding"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["bmi", "created_at", "updated_at"]


@admin.register(Period)
class PeriodAdmin(UserDataAdmin):
    list_display = ["user", "start_date", "end_date", "length_days"]
    list_filter = [("end_date", admin.EmptyFieldListFilter)]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_at", "updated_at"]
