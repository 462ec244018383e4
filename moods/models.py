from django.conf import settings
from django.db import models
from django.db.models import Q

NOTES_MAX_LENGTH = 2000


class EnergyLevel(models.IntegerChoices):
    LOW = 0, "low"
    MEDIUM = 1, "medium"
    HIGH = 2, "high"


class DailyMoodQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


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

    objects = DailyMoodQuerySet.as_manager()

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
                condition=Q(energy_level__gte=0, energy_level__lte=2),
                name="moods_dailymood_energy_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.date}: {self.get_energy_level_display()}"
