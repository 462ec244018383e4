from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core import vocabulary
from core.fields import EncryptedTextField
from core.vocabulary import BBT_CELSIUS, NOTES_MAX_LENGTH
from cycles import engine
from cycles.daylogs import DailyLog, one_per_day

NOTHING_LOGGED = "Log at least one sign (bbt_celsius, lh_test, cervical_mucus) or a note."


class LhTest(models.TextChoices):
    NEGATIVE = vocabulary.LH_NEGATIVE, "negative"
    POSITIVE = vocabulary.LH_POSITIVE, "positive"


class CervicalMucus(models.TextChoices):
    DRY = vocabulary.MUCUS_DRY, "dry"
    STICKY = vocabulary.MUCUS_STICKY, "sticky"
    CREAMY = vocabulary.MUCUS_CREAMY, "creamy"
    WATERY = vocabulary.MUCUS_WATERY, "watery"
    EGGWHITE = vocabulary.MUCUS_EGGWHITE, "egg white"


class Sign(DailyLog):
    """Her fertility signs on one day: one entry per date; a new log of the date
    sets the signs it names and keeps the others."""

    # Null is "not measured that day", which the signs' rules tell apart from
    # any value (a missing temperature is not a low one).
    bbt_celsius = models.DecimalField(
        "basal body temperature (°C)",
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(BBT_CELSIUS[0]), MaxValueValidator(BBT_CELSIUS[1])],
    )
    lh_test = models.CharField(  # noqa: DJ001 (null: no test that day, unlike any result)
        "LH test", max_length=8, choices=LhTest.choices, null=True, blank=True
    )
    cervical_mucus = models.CharField(  # noqa: DJ001 (null: not observed that day)
        max_length=8, choices=CervicalMucus.choices, null=True, blank=True
    )
    notes = EncryptedTextField(max_length=NOTES_MAX_LENGTH, blank=True)

    class Meta(DailyLog.Meta):
        verbose_name = "fertility sign"
        constraints = [
            one_per_day("You already logged signs for this date."),
            models.CheckConstraint(
                condition=Q(bbt_celsius__isnull=True)
                | Q(bbt_celsius__gte=BBT_CELSIUS[0], bbt_celsius__lte=BBT_CELSIUS[1]),
                name="signs_sign_bbt_celsius_range",
            ),
            models.CheckConstraint(
                condition=Q(lh_test__isnull=True) | Q(lh_test__in=vocabulary.LH_RESULTS),
                name="signs_sign_lh_test_known",
            ),
            models.CheckConstraint(
                condition=Q(cervical_mucus__isnull=True)
                | Q(cervical_mucus__in=vocabulary.MUCUS_TYPES),
                name="signs_sign_cervical_mucus_known",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.date}: signs"

    def logs_something(self) -> bool:
        return (
            self.bbt_celsius is not None
            or self.lh_test is not None
            or self.cervical_mucus is not None
            or bool(self.notes and self.notes.strip())
        )

    def save(self, *args, **kwargs):
        # Checked on every save, not only with the date: a partial log can
        # clear the last sign of an entry (and notes are encrypted, so the
        # database cannot check this one).
        if not self.logs_something():
            raise ValidationError(NOTHING_LOGGED)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.logs_something():
            raise ValidationError(NOTHING_LOGGED)


def engine_signs(user_ids: list[int]) -> dict[int, list[engine.DailySigns]]:
    """Each user's signs as the cycle engine reads them, oldest first (one query,
    whatever the number of users; notes stay out). Users with none are absent."""
    rows = (
        Sign.objects.filter(user_id__in=user_ids)
        .filter(
            Q(bbt_celsius__isnull=False)
            | Q(lh_test__isnull=False)
            | Q(cervical_mucus__isnull=False)
        )
        .order_by("user_id", "date")
        .values_list("user_id", "date", "bbt_celsius", "lh_test", "cervical_mucus")
    )
    signs: dict[int, list[engine.DailySigns]] = {}
    for user_id, day, bbt, lh, mucus in rows:
        signs.setdefault(user_id, []).append(
            engine.DailySigns(date=day, bbt_celsius=bbt, lh_test=lh, cervical_mucus=mucus)
        )
    return signs
