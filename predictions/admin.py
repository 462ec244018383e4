from django.contrib import admin, messages

from . import services
from .models import EnergyModel, PredictionRecord


@admin.register(EnergyModel)
class EnergyModelAdmin(admin.ModelAdmin):
    """Model metadata, read-only: models change only by training."""

    list_display = [
        "user",
        "version",
        "trained_at",
        "n_samples",
        "serves_model",
        "cv_accuracy",
        "baseline_accuracy",
        "last_error_at",
    ]
    list_filter = ["serves_model", "format_version", "sklearn_version"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions = ["retrain_selected_users"]
    exclude = ["position_table", "file"]  # no download link: model files are never served

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retrain the selected users' models")
    def retrain_selected_users(self, request, queryset):
        trained = failed = 0
        for row in queryset.select_related("user"):
            try:
                services.energy_model_retrain(user=row.user, force=True)
                trained += 1
            except Exception as error:  # shown to staff, recorded on the row
                services.energy_model_record_failure(user=row.user, error=error)
                failed += 1
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(request, f"Retrained {trained} model(s), {failed} failed.", level)


@admin.register(PredictionRecord)
class PredictionRecordAdmin(admin.ModelAdmin):
    """The predictions served, as they were: read-only history."""

    list_display = ["user", "date", "predicted_level", "source", "model_version", "created_at"]
    list_filter = ["source"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
