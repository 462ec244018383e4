from django.contrib import admin, messages
from django.urls import reverse
from django.utils.safestring import mark_safe

from accounts.admin import UserAdmin
from accounts.models import ActivityEvent, User
from core.userdata import staff_viewed_her_data, user_data_models
from core.vocabulary import ENERGY_LABELS
from cycles.models import Profile
from moods.models import DailyMood

from . import records, serving, training
from .models import EnergyModel, NextPeriodPrediction, PredictionRecord
from .timeline import timeline_days, timeline_svg


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


class WhatSheWasShownAdmin(admin.ModelAdmin):
    """What the app served her is history: staff read it, nobody edits it."""

    list_select_related = ["user"]
    raw_id_fields = ["user"]
    search_fields = ["user__email"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PredictionRecord)
class PredictionRecordAdmin(WhatSheWasShownAdmin):
    """The predictions served, as they were: read-only history."""

    list_display = ["user", "date", "predicted_level", "source", "model_version", "created_at"]
    list_filter = ["source"]
    date_hierarchy = "date"


# --- Her page: the account admin, with her timeline ------------------------------------
# accounts may not import cycles or predictions (import contracts), so the timeline is
# added from here: accounts' User admin, re-registered with what support needs.

HISTORY_ROWS = 14


def her_links(user) -> list[tuple[str, str, int]]:
    """Her rows' changelists, filtered to her, for each registered model of her data."""
    links = []
    for model in [*user_data_models(), PredictionRecord, EnergyModel, ActivityEvent]:
        if not admin.site.is_registered(model) or model in [m for m, *_ in links]:
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        count = model.objects.filter(user=user).count()
        links.append((model, f"{url}?user__id__exact={user.pk}", count))
    return [(model._meta.verbose_name_plural.capitalize(), url, n) for model, url, n in links]


def her_profile(user) -> list[tuple[str, object]] | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    return [
        ("height (cm)", profile.height_cm),
        ("weight (kg)", profile.weight_kg),
        ("BMI", profile.bmi),
        ("typical cycle (days)", profile.cycle_length),
        ("luteal phase (days)", profile.luteal_length),
        ("period (days)", profile.menses_length),
        ("unusual bleeding", profile.unusual_bleeding),
        ("peak days", profile.number_of_peak),
        ("updated", profile.updated_at.strftime("%Y-%m-%d %H:%M")),
    ]


def her_history(user) -> list[dict]:
    recorded = list(PredictionRecord.objects.for_user(user).order_by("-date")[:HISTORY_ROWS])
    logged = dict(
        DailyMood.objects.for_user(user)
        .filter(date__in=[record.date for record in recorded])
        .values_list("date", "energy_level")
    )
    return [
        {
            "date": record.date,
            "predicted": ENERGY_LABELS[record.predicted_level],
            "source": record.source,
            "model_version": record.model_version,
            "logged": ENERGY_LABELS[logged[record.date]] if record.date in logged else None,
            "correct": None
            if record.date not in logged
            else logged[record.date] == record.predicted_level,
        }
        for record in recorded
    ]


admin.site.unregister(User)


@admin.register(User)
class UserWithHerDataAdmin(UserAdmin):
    """Accounts' User admin; her page also shows her timeline, profile, model status,
    what the app showed her and links to her rows. Opening it is recorded in her
    activity log, as every page of her health data is (``staff_viewed_her_data``)."""

    change_form_template = "predictions/admin/user_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        user = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if user is not None and request.method == "GET":
            # Built here from her dates and numbers; every text in it is escaped.
            svg = timeline_svg(timeline_days(user=user), today=user.local_today())
            context.update(
                her_timeline=mark_safe(svg),
                her_links=her_links(user),
                her_profile=her_profile(user),
                her_model=serving.energy_model_summary(user=user),
                her_history=her_history(user),
                her_history_summary=records.prediction_history_summary(user=user),
            )
        response = super().change_view(request, object_id, form_url, context)
        if user is not None and request.method == "GET" and response.status_code == 200:
            staff_viewed_her_data(user, request)
        return response


@admin.register(NextPeriodPrediction)
class NextPeriodPredictionAdmin(WhatSheWasShownAdmin):
    """The next period she was told about in each cycle, as served: read-only."""

    list_display = ["user", "cycle_start", "served_on", "predicted_start", "method"]
    list_filter = ["method"]
    date_hierarchy = "cycle_start"
