"""PlanHer's words and limits, defined once.

Pure Python (stdlib only): the cycle engine and the ML code import it as well as
the models, serializers, the OpenAPI schema and the synthetic generator, so a
phase, an energy level or a range means the same thing everywhere.
"""

from datetime import date
from decimal import Decimal

# --- Phases -------------------------------------------------------------------------
# Every day of a cycle has exactly one (the rule: cycles/engine).
MENSTRUAL = "menstrual"
FOLLICULAR = "follicular"
OVULATORY = "ovulatory"
LUTEAL = "luteal"
PHASES = (MENSTRUAL, FOLLICULAR, OVULATORY, LUTEAL)

# --- Energy -------------------------------------------------------------------------
# What she logs once a day, and what PlanHer predicts.
LOW, MEDIUM, HIGH = 0, 1, 2
ENERGY_LEVELS = (LOW, MEDIUM, HIGH)
ENERGY_LABELS = ("low", "medium", "high")  # ENERGY_LABELS[level]
ENERGY_LEVEL_TEXT = "0 (low), 1 (medium) or 2 (high)"

# Where a served energy prediction came from.
SOURCE_MODEL = "model"
SOURCE_FALLBACK = "fallback"
ENERGY_SOURCES = (SOURCE_MODEL, SOURCE_FALLBACK)

# --- Fertility signs ----------------------------------------------------------------
# What she logs in /signs/ (at most one entry a day).
LH_NEGATIVE = "negative"
LH_POSITIVE = "positive"
LH_RESULTS = (LH_NEGATIVE, LH_POSITIVE)
# Cervical mucus, from the driest to the most fertile.
MUCUS_DRY = "dry"
MUCUS_STICKY = "sticky"
MUCUS_CREAMY = "creamy"
MUCUS_WATERY = "watery"
MUCUS_EGGWHITE = "eggwhite"
MUCUS_TYPES = (MUCUS_DRY, MUCUS_STICKY, MUCUS_CREAMY, MUCUS_WATERY, MUCUS_EGGWHITE)

# --- The next period ----------------------------------------------------------------
# ``next_period.status``: how a screen words it, without date arithmetic.
STATUS_UPCOMING = "upcoming"  # the expected start is after the day asked about
STATUS_DUE_TODAY = "due_today"  # the expected start is that day, and no period is logged
STATUS_LATE = "late"  # the expected start has passed
NEXT_PERIOD_STATUSES = (STATUS_UPCOMING, STATUS_DUE_TODAY, STATUS_LATE)

# ``next_period.basis.method``: what the prediction rests on.
METHOD_POPULATION = "population_prior"
METHOD_PROFILE = "profile"
METHOD_HISTORY = "history_shrunk"
METHOD_HISTORY_PROFILE = "history_shrunk_to_profile"
METHOD_OVULATION = "ovulation_detected"  # her signs placed ovulation: ovulation + her luteal length
BASIS_METHODS = (
    METHOD_POPULATION,
    METHOD_PROFILE,
    METHOD_HISTORY,
    METHOD_HISTORY_PROFILE,
    METHOD_OVULATION,
)

# ``ovulation.status`` in /predictions/current: how the ovulation date is known.
OVULATION_PREDICTED = "predicted"  # from the calendar: next start - luteal length
OVULATION_DETECTED = "detected"  # her signs place it (an LH surge, a temperature shift, peak mucus)
OVULATION_STATUSES = (OVULATION_PREDICTED, OVULATION_DETECTED)

# --- Limits (the contract's ranges) ---------------------------------------------------
HEIGHT_CM = (100, 250)
WEIGHT_KG = (Decimal("25"), Decimal("350"))
CYCLE_LENGTH = (15, 90)  # her typical cycle, days
LUTEAL_LENGTH = (5, 25)
MENSES_LENGTH = (1, 15)
NUMBER_OF_PEAK = (0, 15)
MAX_PERIOD_DAYS = 15  # the longest period she can log
NOTES_MAX_LENGTH = 2000
BBT_CELSIUS = (Decimal("34.00"), Decimal("40.00"))  # basal body temperature, 2 decimals
EARLIEST_DATE = date(1900, 1, 1)  # logged dates lie between this and her today
MAX_FORECAST_DAYS = 90

# Defaults of her profile, and the engine's priors without one.
DEFAULT_LUTEAL_LENGTH = 14
DEFAULT_MENSES_LENGTH = 5
DEFAULT_NUMBER_OF_PEAK = 2
