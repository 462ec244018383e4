from django.db import models
from django.db.models import Q

from core import vocabulary
from core.fields import EncryptedTextField
from core.vocabulary import NOTES_MAX_LENGTH
from cycles.daylogs import DailyLog, one_per_day


class EnergyLevel(models.IntegerChoices):
    LOW = vocabulary.LOW, vocabulary.ENERGY_LABELS[vocabulary.LOW]
    MEDIUM = vocabulary.MEDIUM, vocabulary.ENERGY_LABELS[vocabulary.MEDIUM]
    HIGH = vocabulary.HIGH, vocabulary.ENERGY_LABELS[vocabulary.HIGH]


class DailyMood(DailyLog):
    """Her energy on one day: one entry per date, replaced when she logs again."""

    energy_level = models.PositiveSmallIntegerField(choices=EnergyLevel.choices)
    notes = EncryptedTextField(max_length=NOTES_MAX_LENGTH, blank=True)

    class Meta(DailyLog.Meta):
        verbose_name = "daily mood"
        constraints = [
            one_per_day("You already logged your energy for this date."),
            models.CheckConstraint(
                condition=Q(energy_level__gte=vocabulary.LOW, energy_level__lte=vocabulary.HIGH),
                name="moods_dailymood_energy_level_range",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.date}: {self.get_energy_level_display()}"
