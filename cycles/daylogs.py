"""Daily logs: what she notes about one day (her energy, her signs), one entry
per date, placed in her cycle.

A new log is a model (``DailyLog``), a serializer (``DailyLogSerializer``), a
viewset (``DailyLogViewSet``) and one line in its app's ``ready()``
(``register_daily_log``); README "Adding a daily log" has the recipe.

It lives in ``cycles`` because placing a day in her cycle is the cycle engine's
job (``cycles.services.cycle_positions``); ``core`` stays free of the domain.
"""

from datetime import date

import django_filters
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.response import Response

from core.admin import UserDataAdmin
from core.fields import EncryptedTextField
from core.filters import DateFilter
from core.serializers import ModelSerializer
from core.userdata import OwnedQuerySet, announce_changes_of, register_user_data
from core.validation import logged_date_problem, validate_logged_date
from core.views import OwnedModelViewSet, user_write_lock
from core.vocabulary import PHASES

from . import services

ONE_PER_DAY = "%(app_label)s_%(class)s_one_per_user_and_day"


def one_per_day(message: str) -> models.UniqueConstraint:
    """One entry per user and date; ``message`` is her 400 when she logs a date twice."""
    return models.UniqueConstraint(
        fields=["user", "date"], name=ONE_PER_DAY, violation_error_message=message
    )


class DailyLog(models.Model):
    """One user's entry for one date; no date after her local today."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="%(app_label)s"
    )
    date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date"]
        constraints = [one_per_day("You already logged this date.")]

    def save(self, *args, **kwargs):
        # Her rules hold wherever an entry is written: the API, the admin, a
        # shell. (Bulk writes skip save(): they are for generated histories.)
        # A save that leaves the date alone (new notes) needs no second look.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "date" in update_fields:
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        """No entry for a day after her local today."""
        if self.user_id is None or self.date is None:
            return  # the form reports the missing field
        problem = logged_date_problem(self.date, today=self.user.local_today())
        if problem:
            raise ValidationError({"date": [problem]})

    @classmethod
    def logged_fields(cls) -> list[models.Field]:
        """What she logs for a day: every field of the log but the shared ones."""
        shared = {"id", "user", "date", "created_at", "updated_at"}
        return [field for field in cls._meta.concrete_fields if field.name not in shared]

    @classmethod
    def duplicate_answer(cls) -> dict:
        (constraint,) = [
            c for c in cls._meta.constraints if c.name.endswith("_one_per_user_and_day")
        ]
        return {"date": [constraint.violation_error_message]}


class DailyLogFilterSet(django_filters.FilterSet):
    date_after = DateFilter(
        field_name="date", lookup_expr="gte", label="Entries on or after this date."
    )
    date_before = DateFilter(
        field_name="date", lookup_expr="lte", label="Entries on or before this date."
    )

    class Meta:
        fields = ["date_after", "date_before"]


class DailyLogListSerializer(serializers.ListSerializer):
    """Derives day of cycle and phase for a whole page at once (two queries)."""

    def to_representation(self, data):
        entries = list(data.all() if hasattr(data, "all") else data)
        if entries:
            request = self.context["request"]
            self.child.positions = services.cycle_positions(
                user=request.user, dates=[entry.date for entry in entries]
            )
        return super().to_representation(entries)


class DailyLogSerializer(ModelSerializer):
    """An entry placed in her cycle as her periods stand now (``day_of_cycle``, ``phase``)."""

    day_of_cycle = serializers.SerializerMethodField(
        help_text="1 on a period's start date; null before her first logged period."
    )
    phase = serializers.SerializerMethodField()

    class Meta:
        list_serializer_class = DailyLogListSerializer

    positions = None  # set by the list serializer for a page of entries

    def validate_date(self, value):
        return validate_logged_date(value, today=self.context["request"].user.local_today())

    def position(self, entry):
        if self.positions is None or entry.date not in self.positions:
            self.positions = services.cycle_positions(
                user=self.context["request"].user, dates=[entry.date]
            )
        return self.positions.get(entry.date)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_day_of_cycle(self, entry):
        position = self.position(entry)
        return position.day_of_cycle if position else None

    @extend_schema_field(serializers.ChoiceField(choices=PHASES, allow_null=True))
    def get_phase(self, entry):
        position = self.position(entry)
        return position.phase if position else None


class DailyLogViewSet(OwnedModelViewSet):
    """Her entries, newest first, filtered by date. POST is an upsert on the date:
    201 when created, 200 when that date's entry was changed or already said so.

    ``partial_upsert`` False: POST replaces the date's entry whole (fields left
    out go back to their defaults); True: it sets the fields sent and keeps the
    others.
    """

    partial_upsert = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        model = cls.queryset.model
        cls.integrity_errors = {
            f"{model._meta.db_table}_one_per_user_and_day": model.duplicate_answer()
        }
        if "filterset_class" not in cls.__dict__:
            meta = type("Meta", (DailyLogFilterSet.Meta,), {"model": model})
            name = f"{model.__name__}FilterSet"
            cls.filterset_class = type(name, (DailyLogFilterSet,), {"Meta": meta})

    def logged(self, data) -> dict:
        """The fields this POST sets on the date's entry."""
        fields = self.queryset.model.logged_fields()
        if self.partial_upsert:
            return {field.name: data[field.name] for field in fields if field.name in data}
        return {field.name: data.get(field.name, field.get_default()) for field in fields}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day: date = serializer.validated_data["date"]
        fields = self.logged(serializer.validated_data)
        entry = self.get_queryset().filter(date=day).first()
        if entry is not None and all(getattr(entry, k) == v for k, v in fields.items()):
            # A repeated log (a retry, a double tap): no write, so her cached
            # answers and her model stay as they are.
            return Response(self.get_serializer(entry).data, status=status.HTTP_200_OK)
        with user_write_lock(request.user, self.integrity_errors):
            # Under her lock no other request of hers can log this date meanwhile.
            entry = self.get_queryset().filter(date=day).first()
            created = entry is None
            if created:
                entry = self.queryset.model.objects.create(user=request.user, date=day, **fields)
            else:
                for name, value in fields.items():
                    setattr(entry, name, value)
                entry.save(update_fields=[*fields, "updated_at"])
        return Response(
            self.get_serializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_update(self, serializer):
        day = serializer.validated_data.get("date")
        if day is not None and (
            self.get_queryset().filter(date=day).exclude(pk=serializer.instance.pk).exists()
        ):
            raise BadRequest(self.queryset.model.duplicate_answer())
        serializer.save()


def daily_log_export(model):
    """Her entries of ``model``, oldest first, as plain JSON values."""

    def export(user) -> list[dict]:
        names = ["id", "date", *(f.attname for f in model.logged_fields())]
        return [
            {
                name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in row.items()
            }
            for row in model.objects.for_user(user)
            .order_by("date")
            .values(*names, "created_at", "updated_at")
        ]

    return export


class DailyLogAdmin(UserDataAdmin):
    """The default admin of a daily log: what she logs stays out of the list."""

    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "date"


def register_daily_log(key: str, model, *, export_schema) -> None:
    """Make ``model`` her data: in her export under ``key`` (shaped as
    ``export_schema`` says), deleted with her account (the cascade), announced
    on every write (the change channel), and in the admin."""
    register_user_data(key, model=model, export=daily_log_export(model), schema=export_schema)
    announce_changes_of(model)
    if not admin.site.is_registered(model):
        # Notes in her words: staff who open one entry to support her read
        # them, never edit them (as in the moods' admin).
        her_words = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        admin.site.register(
            model,
            type(
                f"{model.__name__}Admin",
                (DailyLogAdmin,),
                {
                    "list_display": ["user", "date", "updated_at"],
                    "readonly_fields": [*her_words, "created_at", "updated_at"],
                },
            ),
        )
