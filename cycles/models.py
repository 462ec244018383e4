from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.userdata import OwnedQuerySet
from core.validation import logged_date_problem
from core.vocabulary import (
    CYCLE_LENGTH,
    DEFAULT_LUTEAL_LENGTH,
    DEFAULT_MENSES_LENGTH,
    DEFAULT_NUMBER_OF_PEAK,
    HEIGHT_CM,
    LUTEAL_LENGTH,
    MAX_PERIOD_DAYS,
    MENSES_LENGTH,
    NUMBER_OF_PEAK,
    WEIGHT_KG,
)

from . import engine


def in_range(bounds):
    low, high = bounds
    return [MinValueValidator(low), MaxValueValidator(high)]


def range_check(field, bounds, *, nullable=False):
    low, high = bounds
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition, name=f"%(app_label)s_%(class)s_{field}_range"
    )


class Profile(models.Model):
    """What she tells PlanHer about her body and her typical cycle.

    It lives in ``cycles`` because the cycle engine is its main reader: the
    typical cycle, luteal and menses lengths are the priors of every cycle
    prediction. Height and weight ride along for the BMI.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    height_cm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=in_range(HEIGHT_CM)
    )
    weight_kg = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=in_range(WEIGHT_KG)
    )
    cycle_length = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=in_range(CYCLE_LENGTH),
        help_text="Typical cycle length in days; empty when she does not know.",
    )
    luteal_length = models.PositiveSmallIntegerField(
        default=DEFAULT_LUTEAL_LENGTH, validators=in_range(LUTEAL_LENGTH)
    )
    menses_length = models.PositiveSmallIntegerField(
        default=DEFAULT_MENSES_LENGTH, validators=in_range(MENSES_LENGTH)
    )
    unusual_bleeding = models.BooleanField(default=False)
    number_of_peak = models.PositiveSmallIntegerField(
        default=DEFAULT_NUMBER_OF_PEAK, validators=in_range(NUMBER_OF_PEAK)
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            range_check("height_cm", HEIGHT_CM, nullable=True),
            range_check("weight_kg", WEIGHT_KG, nullable=True),
            range_check("cycle_length", CYCLE_LENGTH, nullable=True),
            range_check("luteal_length", LUTEAL_LENGTH),
            range_check("menses_length", MENSES_LENGTH),
            range_check("number_of_peak", NUMBER_OF_PEAK),
            models.CheckConstraint(
                condition=Q(cycle_length__isnull=True) | Q(luteal_length__lt=F("cycle_length")),
                name="cycles_profile_luteal_shorter_than_cycle",
            ),
            models.CheckConstraint(
                condition=Q(cycle_length__isnull=True) | Q(menses_length__lt=F("cycle_length")),
                name="cycles_profile_menses_shorter_than_cycle",
            ),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    @property
    def bmi(self) -> Decimal | None:
        if not self.height_cm or not self.weight_kg:
            return None
        metres = Decimal(self.height_cm) / 100
        return (Decimal(self.weight_kg) / (metres * metres)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def as_cycle_profile(self) -> engine.CycleProfile:
        return engine.CycleProfile(
            cycle_length=self.cycle_length,
            luteal_length=self.luteal_length,
            menses_length=self.menses_length,
        )


class PeriodQuerySet(OwnedQuerySet):
    def overlapping(self, start, end):
        """Periods that share a day with [start, end] (end None: ongoing)."""
        last_day = end or start + timedelta(days=MAX_PERIOD_DAYS - 1)
        # An ongoing period may still run to its longest possible length.
        return self.filter(start_date__lte=last_day).filter(
            Q(end_date__gte=start)
            | Q(end_date__isnull=True, start_date__gte=start - timedelta(days=MAX_PERIOD_DAYS - 1))
        )

    def as_engine_periods(self) -> list[engine.LoggedPeriod]:
        return [
            engine.LoggedPeriod(start=start, end=end)
            for start, end in self.order_by("start_date").values_list("start_date", "end_date")
        ]


class Period(models.Model):
    """One logged period: from the first day of bleeding to the last (open while ongoing)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="periods"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while ongoing.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "start_date"],
                name="cycles_period_unique_start_per_user",
                violation_error_message="You already logged a period starting on this date.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="cycles_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__lte=F("start_date") + timedelta(days=MAX_PERIOD_DAYS - 1)),
                name="cycles_period_at_most_15_days",
            ),
        ]

    def __str__(self):
        return f"Period of {self.user} from {self.start_date}"

    def save(self, *args, **kwargs):
        # Her rules hold wherever a period is written: the API, the admin, a
        # shell. (Bulk writes skip save(): they are for generated histories.)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"start_date", "end_date"} & set(update_fields):
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        """No day after her local today, and no clash with her other periods."""
        if self.user_id is None or self.start_date is None:
            return  # the form reports the missing field
        today = self.user.local_today()
        errors = {}
        for field in ("start_date", "end_date"):
            value = getattr(self, field)
            problem = value and logged_date_problem(value, today=today)
            if problem:
                errors[field] = [problem]
        if errors:
            raise ValidationError(errors)
        self.validate_among_her_periods()

    def validate_among_her_periods(self):
        """Its length, and no shared start or day with her other periods (the
        serializer asks the same of an unsaved period built from a request)."""
        start, end = self.start_date, self.end_date
        if end is not None and end < start:
            raise ValidationError({"end_date": ["Must be on or after the start date."]})
        if end is not None and (end - start).days + 1 > MAX_PERIOD_DAYS:
            # Name the date she can pick: a period left open for weeks is closed
            # with its real end, at the latest this one.
            latest = start + timedelta(days=MAX_PERIOD_DAYS - 1)
            raise ValidationError(
                {
                    "end_date": [
                        f"A period lasts at most {MAX_PERIOD_DAYS} days: for one that started "
                        f"on {start.isoformat()}, choose an end date on or before "
                        f"{latest.isoformat()}."
                    ]
                }
            )
        others = Period.objects.filter(user_id=self.user_id)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if others.filter(start_date=start).exists():
            raise ValidationError(
                {"start_date": ["You already logged a period starting on this date."]}
            )
        clash = others.overlapping(start, end).order_by("start_date").first()
        if clash is not None:
            raise ValidationError(clash.overlap_message())

    def overlap_message(self) -> str:
        """What she is told when new dates would share a day with this period."""
        if self.end_date is None:
            last_possible = self.start_date + timedelta(days=MAX_PERIOD_DAYS - 1)
            return (
                f"These dates overlap your ongoing period that started on {self.start_date}"
                f" (it may run until {last_possible}); set its end date first."
            )
        return f"These dates overlap your period from {self.start_date} to {self.end_date}."

    def next_start_date(self):
        """The start of her next logged period, if any."""
        return (
            Period.objects.filter(user_id=self.user_id, start_date__gt=self.start_date)
            .order_by("start_date")
            .values_list("start_date", flat=True)
            .first()
        )

    @property
    def length_days(self) -> int | None:
        if self.end_date is None:
            return None
        return (self.end_date - self.start_date).days + 1
