from django.contrib import admin

from core.admin import UserDataAdmin

from .models import Import


@admin.register(Import)
class ImportAdmin(UserDataAdmin):
    """Her imports, for support: read-only, errors shown in full."""

    actions = None
    list_display = ["id", "user", "status", "format", "filename", "created_at", "finished_at"]
    list_filter = ["status", "format"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    # (UserDataAdmin adds "user".)
    readonly_fields = [
        "status",
        "requested_format",
        "format",
        "filename",
        "size_bytes",
        "created",
        "skipped",
        "error_count",
        "errors",
        "created_at",
        "started_at",
        "finished_at",
    ]
    exclude = ["upload"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
