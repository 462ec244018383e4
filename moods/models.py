from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core import vocabulary
from core.userdata import OwnedQuerySet
from core.validation import logged_date_problem
from core.vocabulary import NOTES_MAX_LENGTH


class EnergyLevel(models.IntegerChoices):
    LOW = vocabulary.LOW, vocabulary.ENERGY_LABELS[vocabulary.LOW]
    MEDIUM = vocabulary.MEDIUM, vocabulary.ENERGY_LABELS[vocabulary.MEDIUM]
    HIGH = vocabulary.HIGH, vocabulary.ENERGY_LABELS[vocabulary.HIGH]


class DailyMood(models.Model):
    """Her energy on one day: one entry per date, replaced when she logs again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moods"
    )
    date = models.DateField()
    energy_level = models.PositiveSmallIntegerField(choices=EnergyLevel.choices)
    notes = models.TextField(max_length=NOTES_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = "daily mood"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "date"],
                name="moods_dailymood_one_per_user_and_day",
                violation_error_message="You already logged your energy for this date.",
            ),
            models.CheckConstraint(
                condition=Q(energy_level__gte=vocabulary.LOW, energy_level__lte=vocabulary.HIGH),
                name="moods_dailymood_energy_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.date}: {self.get_energy_level_display()}"

    def save(self, *args, **kwargs):
        # Her rules hold wherever a mood is written: the API, the admin, a
        # shell. (Bulk writes skip save(): they are for generated histories.)
        # A save that leaves the date alone (new notes) needs no second look.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "date" in update_fields:
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        """No energy logged for a day after her local today."""
        if self.user_id is None or self.date is None:
            return  # the form reports the missing field
        problem = logged_date_problem(self.date, today=self.user.local_today())
        if problem:
            raise ValidationError({"date": [problem]})
