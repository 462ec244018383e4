from django.contrib import admin, messages

from . import training
from .models import EnergyModel, NextPeriodPrediction, PredictionRecord


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
        trained = failed = busy = 0
        for row in queryset.select_related("user"):
            try:
                outcome = training.retrain(row.user, force=True)
            except Exception:  # shown to staff; recorded on the row by retrain
                failed += 1
                continue
            if outcome.status == "busy":
                busy += 1
            else:
                trained += 1
        level = messages.WARNING if failed or busy else messages.SUCCESS
        message = f"Retrained {trained} model(s), {failed} failed."
        if busy:
            message += f" {busy} being trained elsewhere right now."
        self.message_user(request, message, level)


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


@admin.register(NextPeriodPrediction)
class NextPeriodPredictionAdmin(admin.ModelAdmin):
    """The next period she was told about in each cycle, as served: read-only."""

    list_display = ["user", "cycle_start", "served_on", "predicted_start", "method"]
    list_filter = ["method"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "cycle_start"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
