import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


def energy_model_path(instance, filename):
    """One folder per user; a fresh name per training, so a replacement never
    overwrites the file a reader may be loading."""
    return f"energy-models/user-{instance.user_id}/v{instance.version}-{uuid.uuid4().hex}.joblib"


class EnergyModelQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class EnergyModel(models.Model):
    """Her trained energy model: metadata here, the pickled estimator in ``file``.

    The file is written through Django's storage API only (disk, S3, ...), is
    signed (``digest``, an HMAC keyed on SECRET_KEY) and never unpickled before
    the signature, format version and scikit-learn version check out.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="energy_model"
    )
    version = models.PositiveIntegerField(default=0, help_text="Counts her trainings, from 1.")
    file = models.FileField(upload_to=energy_model_path, max_length=255, blank=True)
    digest = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 of the file.")
    format_version = models.PositiveSmallIntegerField(null=True, blank=True)
    sklearn_version = models.CharField(max_length=32, blank=True)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    n_samples = models.PositiveIntegerField(default=0)
    classes = models.JSONField(default=list, blank=True)
    cv_accuracy = models.FloatField(null=True, blank=True)
    cv_log_loss = models.FloatField(null=True, blank=True)
    baseline_accuracy = models.FloatField(null=True, blank=True)
    baseline_log_loss = models.FloatField(null=True, blank=True)
    fallback_accuracy = models.FloatField(null=True, blank=True)
    fallback_log_loss = models.FloatField(null=True, blank=True)
    feature_importances = models.JSONField(default=dict, blank=True)
    serves_model = models.BooleanField(
        default=False, help_text="Whether the forest beat the fallback in cross-validation."
    )
    reason = models.TextField(blank=True, help_text="Why the model serves, or why it does not.")
    # Probabilities precomputed at training time for the cycle positions she is
    # about to live through, so serving needs no unpickling and no forest call.
    position_table = models.JSONField(default=dict, blank=True)
    training_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a training waits in the queue."
    )
    training_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a worker trains it."
    )
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnergyModelQuerySet.as_manager()

    class Meta:
        verbose_name = "energy model"
        constraints = [
            models.CheckConstraint(
                condition=Q(file="") | ~Q(digest=""), name="predictions_energymodel_file_is_signed"
            ),
        ]

    def __str__(self):
        return f"Energy model v{self.version} of {self.user}"

    @property
    def is_trained(self) -> bool:
        return bool(self.file)

    @property
    def is_training(self) -> bool:
        return bool(self.training_queued_at or self.training_started_at)


class PredictionRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class PredictionRecord(models.Model):
    """The energy prediction served for a date, frozen the first time it is served."""

    class Source(models.TextChoices):
        MODEL = "model"
        FALLBACK = "fallback"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prediction_records"
    )
    date = models.DateField()
    predicted_level = models.PositiveSmallIntegerField()
    probabilities = models.JSONField()
    source = models.CharField(max_length=16, choices=Source.choices)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PredictionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"], name="predictions_record_one_per_user_and_day"
            ),
            models.CheckConstraint(
                condition=Q(predicted_level__gte=0, predicted_level__lte=2),
                name="predictions_record_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.date}: {self.predicted_level} ({self.source})"


class NextPeriodPredictionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class NextPeriodPrediction(models.Model):
    """The next period ``/predictions/current`` told her about, once per cycle: written
    the first time it is served on her today in the cycle that starts on
    ``cycle_start``, never rewritten. It is scored against the next start she logs
    (``insights``), which is read from her periods, not stored here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="next_period_predictions"
    )
    cycle_start = models.DateField(help_text="Start of the cycle it was served in.")
    served_on = models.DateField(help_text="Her day when it was first served.")
    predicted_start = models.DateField()
    earliest = models.DateField()
    latest = models.DateField()
    method = models.CharField(max_length=32, help_text="What the prediction rested on.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NextPeriodPredictionQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cycle_start"], name="predictions_next_period_one_per_cycle"
            ),
        ]

    def __str__(self):
        return f"{self.user}: cycle of {self.cycle_start}, next period {self.predicted_start}"
