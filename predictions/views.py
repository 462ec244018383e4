from datetime import timedelta

from django.db import DatabaseError
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import PAGE_SCHEMA, PAGE_SIZE_SCHEMA, PageNumberPagination
from core.userdata import answer_cache_key, cached_answer
from core.vocabulary import OVULATION_DETECTED, OVULATION_PREDICTED
from cycles import engine
from cycles import services as cycle_services
from cycles.models import Profile
from moods.models import DailyMood

from . import ml, queueing, records, serving, training
from . import serializers as s
from .days import calendar_body, forecast_days
from .models import PredictionRecord

# Answers are cached until her data changes (the key carries her data_version)
# or her day changes; the timeout only bounds what a missed signal could cost.
NO_PERIOD = "No period logged yet: log your last period to see where you are in your cycle."


def no_period_before(day) -> str:
    return f"No period logged on or before {day.isoformat()}."


def unclosed_period_detail(unclosed: engine.UnclosedPeriod) -> str:
    return (
        f"Your period that started on {unclosed.start.isoformat()} is still open: set its "
        f"end date (on {unclosed.latest_end.isoformat()} at the latest). Until then it "
        f"counts as {unclosed.assumed_length} day(s)."
    )


def ovulation_body(cycle: engine.CurrentCycle) -> dict:
    """How her ovulation date is known: her signs placed it, or the calendar predicts it."""
    if cycle.ovulation is None:
        return {"date": cycle.ovulation_date, "status": OVULATION_PREDICTED, "signs": []}
    return {
        "date": cycle.ovulation_date,
        "status": OVULATION_DETECTED,
        "signs": list(cycle.ovulation.signs),
    }


@extend_schema(tags=["predictions"])
class PredictionViewSet(viewsets.GenericViewSet):
    """Where she is in her cycle, what comes next, and her likely energy."""

    # `current` and `forecast` answers are cached per user until her data
    # changes (``core.userdata.answer_cache_key``). Bodies are built as plain
    # dicts (DRF's JSON encoder writes dates and decimals): the serializers in
    # ``serializers.py`` document their shape in the schema, and nesting 90 days
    # through them would triple a forecast's cost. Each operation's schema text
    # is written for the frontend developer reading it.

    serializer_class = s.CurrentSerializer
    queryset = PredictionRecord.objects.none()
    pagination_class = None

    @extend_schema(
        operation_id="getCurrentPrediction",
        summary="Where she is in her cycle today, and what comes next",
        description="Her day of cycle and phase, the predicted start of her next period with "
        "an 80% interval and what it rests on (`next_period.basis`), her ovulation date, "
        "fertile window and most likely energy level for `date` (default: her today, in her "
        "time zone). For a past `date` the answer is what was known then (data logged on or "
        "before it); for a future `date` it is today's prediction, the same as that day in "
        "the forecast. Without a logged period the cycle fields are null and `detail` says "
        "why. The energy prediction served for a day is recorded and appears in the history.",
        parameters=[s.CurrentQuerySerializer],
        responses=s.CurrentSerializer,
    )
    @action(detail=False, methods=["get"])
    def current(self, request):
        query = s.CurrentQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        user = request.user
        today = user.local_today()
        day = query.validated_data.get("date") or today
        key = answer_cache_key("current", user, ml.FORMAT_VERSION, today, day)
        return Response(cached_answer(key, lambda: self.current_body(user, day, today)))

    def current_body(self, user, day, today) -> dict:
        """As known on ``day`` up to her today; a later day is what today predicts
        for it, the same as that day in the forecast."""
        profile = Profile.objects.filter(user=user).first()
        data = cycle_services.cycle_data_load(user=user, profile=profile)
        known_on = min(day, today)
        if day <= today:
            data = data.until(day)
        cycle = data.current_cycle(on=known_on, day=day)
        body = {
            "date": day,
            "day_of_cycle": None,
            "phase": None,
            "bmi": profile.bmi if profile else None,
            "cycle_length": None,
            "next_period": None,
            "ovulation_date": None,
            "ovulation": None,
            "fertile_window": None,
            "energy": None,
            "detail": None,
        }
        if cycle is None:
            body["detail"] = NO_PERIOD if day >= today else no_period_before(day)
            return body
        nxt = cycle.next_period
        if day == today:  # the next period she is told about in this cycle, recorded once
            records.next_period_record(
                user=user, day=day, cycle_start=cycle.cycle_start, next_period=nxt
            )
        unclosed = engine.unclosed_period(data.periods, on=known_on, profile=data.profile)
        body.update(
            day_of_cycle=cycle.day_of_cycle,
            phase=cycle.phase,
            cycle_length=cycle.cycle_length,
            next_period={
                "start_date": nxt.start_date,
                "earliest": nxt.earliest,
                "latest": nxt.latest,
                "interval": nxt.interval,
                "days_late": nxt.days_late,
                "status": nxt.status,
                "basis": vars(nxt.basis),
            },
            ovulation_date=cycle.ovulation_date,
            ovulation=ovulation_body(cycle),
            fertile_window={"start": cycle.fertile_window_start, "end": cycle.fertile_window_end},
            detail=unclosed_period_detail(unclosed) if unclosed else None,
        )
        position = data.positions([day], on=known_on)[day]

        def predict():
            # A past day gets what could be predicted then, from her logs up to it.
            as_of = day if day < today else None
            predictor = serving.EnergyPredictor.for_user(user=user, data=data, as_of=as_of)
            return predictor.predict([position])[0]

        if day > today:  # what the forecast says for it; nothing is recorded ahead
            prediction = predict()
            body["energy"] = prediction.as_dict() if prediction else None
        else:
            body["energy"], _ = records.prediction_record_for(user=user, day=day, make=predict)
        return body

    @extend_schema(
        operation_id="getForecast",
        summary="Day-by-day predictions for the days ahead",
        description="One entry a day from `start` (default: her today) for `days` days "
        "(1 to 90, default 28): day of cycle, phase, whether a period is predicted, whether "
        "the day is fertile, and the predicted energy. Past days in the range show where her "
        "logged periods put them. Without a logged period the cycle fields are null and "
        "`detail` says why.",
        parameters=[s.ForecastQuerySerializer],
        responses=s.ForecastSerializer,
    )
    @action(detail=False, methods=["get"])
    def forecast(self, request):
        query = s.ForecastQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        user = request.user
        today = user.local_today()
        start = query.validated_data.get("start") or today
        length = query.validated_data["days"]
        key = answer_cache_key("forecast", user, ml.FORMAT_VERSION, today, start, length)
        return Response(cached_answer(key, lambda: self.forecast_body(user, today, start, length)))

    def forecast_body(self, user, today, start, length) -> dict:
        days = [start + timedelta(days=offset) for offset in range(length)]
        data = cycle_services.cycle_data_load(user=user)
        body = {"start": start, "days": [], "detail": None if data.periods else NO_PERIOD}
        for entry in forecast_days(user=user, data=data, today=today, days=days):
            where = entry.position
            body["days"].append(
                {
                    "date": entry.date,
                    "day_of_cycle": where.day_of_cycle if where else None,
                    "phase": where.phase if where else None,
                    "is_predicted_period": bool(where and where.is_predicted_period),
                    "is_fertile": bool(where and where.is_fertile),
                    "energy": entry.energy,
                }
            )
        return body

    @extend_schema(
        operation_id="listPredictionHistory",
        summary="Past energy predictions and what she then logged",
        description="The energy prediction served for each day (recorded the first time it "
        "was served, never rewritten), newest first, with the level she logged that day and "
        "whether the prediction was right; `summary` gives the accuracy over the days she "
        "logged.",
        # The paginator's ?page= and ?page_size=, which a custom response hides.
        parameters=[
            OpenApiParameter(
                "page", PAGE_SCHEMA, description=PageNumberPagination.page_query_description
            ),
            OpenApiParameter(
                "page_size",
                PAGE_SIZE_SCHEMA,
                description=PageNumberPagination.page_size_query_description,
            ),
        ],
        responses=inline_serializer(
            "PaginatedPredictionHistory",
            {
                "count": drf_serializers.IntegerField(),
                "next": drf_serializers.URLField(allow_null=True),
                "previous": drf_serializers.URLField(allow_null=True),
                "results": s.HistoryItemSerializer(many=True),
                "summary": s.HistorySummarySerializer(),
            },
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=PageNumberPagination)
    def history(self, request):
        """Past predictions, newest first, each with what she then logged."""
        actual = DailyMood.objects.filter(user=OuterRef("user"), date=OuterRef("date")).values(
            "energy_level"
        )[:1]
        recorded = PredictionRecord.objects.for_user(request.user).annotate(
            actual_level=Subquery(actual)
        )
        page = self.paginate_queryset(recorded)
        items = [
            {
                "date": record.date,
                "predicted_level": record.predicted_level,
                "probabilities": record.probabilities,
                "source": record.source,
                "model_version": record.model_version,
                "actual_level": record.actual_level,
                "correct": None
                if record.actual_level is None
                else record.actual_level == record.predicted_level,
            }
            for record in page
        ]
        response = self.get_paginated_response(s.HistoryItemSerializer(items, many=True).data)
        response.data["summary"] = records.prediction_history_summary(user=request.user)
        return response

    @extend_schema(
        operation_id="getEnergyModel",
        summary="Her energy model: status and quality",
        responses=s.EnergyModelSerializer,
    )
    @action(detail=False, methods=["get"])
    def model(self, request):
        """Her model: status, cross-validated quality against the baselines, and why it serves."""
        return Response(serving.energy_model_summary(user=request.user))

    @extend_schema(
        operation_id="retrainEnergyModel",
        summary="Train her energy model now",
        request=None,
        responses={
            200: s.RetrainSerializer,
            202: s.RetrainSerializer,
            400: OpenApiResponse(s.RetrainRefusedSerializer, description="Too few mood logs."),
            503: OpenApiResponse(
                s.RetrainFailedSerializer,
                description="The training failed: recorded on her model (`last_error`); "
                "her predictions keep coming from what served before.",
            ),
        },
    )
    @action(detail=False, methods=["post"])
    def retrain(self, request):
        """Train her model now (200), or queue it for a worker (202)."""
        user = request.user
        if queueing.runs_in_background():
            needed = training.energy_logs_needed(user=user)
            if needed:
                return refused(needed)
            queueing.queue_retrain(user, countdown=0)
            return queued()
        try:
            outcome = training.retrain(user)
        except DatabaseError:
            raise  # the exception handler's 503 with Retry-After
        except Exception:
            # Logged and recorded on her row by ``retrain``: say so, never a 500.
            return Response(
                {
                    "detail": "Training your energy model failed; it has been recorded and "
                    "your predictions keep coming from what served before. Try again later.",
                    "last_error": serving.energy_model_summary(user=user)["last_error"],
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        if outcome.status == "insufficient":
            return refused(outcome.logs_needed)
        if outcome.status == "busy":  # being trained by the background thread right now
            queueing.queue_retrain(user, countdown=0)
            return queued()
        return Response(
            {
                "status": "trained" if outcome.status == "trained" else "unchanged",
                "model": serving.energy_model_summary(user=user),
            }
        )


@extend_schema(tags=["predictions"])
class CalendarView(APIView):
    """Her days, past and future, in one answer."""

    @extend_schema(
        operation_id="getCalendar",
        summary="Her days, past and future: cycle, periods, energy logged and predicted, signs",
        description="One entry a day from `start` to `end` (both included, at most 366 days; "
        "without them, her current month in her time zone; with only one, that date's "
        "month from or up to it). Each day says where it sits in her cycle as known today "
        "(the same as `/predictions/forecast` for that day, and as `/predictions/current` "
        "for today and later), whether it is a logged or a predicted period day, fertile, "
        "her ovulation day, the energy she logged (`energy_logged`), the energy predicted "
        "for it (`energy_predicted`, as `/predictions/current`'s `energy`: for her today and "
        "later, null before) and her fertility signs. Without a logged period the cycle "
        "fields are null and `detail` says why.",
        parameters=[s.CalendarQuerySerializer],
        responses=s.CalendarSerializer,
    )
    def get(self, request):
        query = s.CalendarQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        user = request.user
        today = user.local_today()
        start, end = query.validated_data["start"], query.validated_data["end"]
        key = answer_cache_key("calendar", user, ml.FORMAT_VERSION, today, start, end)
        return Response(
            cached_answer(
                key,
                lambda: calendar_body(
                    user=user, today=today, start=start, end=end, no_period_detail=NO_PERIOD
                ),
            )
        )


def queued() -> Response:
    return Response({"status": "queued"}, status=status.HTTP_202_ACCEPTED)


def refused(needed: int) -> Response:
    return Response(
        {
            "detail": f"Log your energy on {needed} more day(s) before a model can be trained "
            f"(it needs {ml.MIN_SAMPLES} logs after your first period, with at least "
            f"{ml.MIN_LEVELS} different levels).",
            "logs_needed": needed,
        },
        status=status.HTTP_400_BAD_REQUEST,
    )
