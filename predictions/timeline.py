"""Her last six months (and the month ahead) as one picture, for staff: the SVG
drawn on her page in the admin (``predictions/admin.py``).

The days come from ``days.forecast_days`` (where each day sits in her cycle, as
/calendar and /forecast place it) and her rows; nothing is recorded by drawing
it (today's energy is shown only if it was served to her). Hand-built SVG: a
few rectangles, a polyline and text, crisp at any zoom, no script, no library.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from core.vocabulary import LH_POSITIVE
from cycles import services as cycle_services
from cycles.engine.ovulation import FERTILE_MUCUS
from moods.models import DailyMood
from signs.models import Sign

from .days import date_range, forecast_days, period_of
from .models import PredictionRecord

PAST_DAYS = 182  # about six months
FUTURE_DAYS = 30

ENERGY_COLOURS = {0: "#e76f51", 1: "#e9c46a", 2: "#2a9d8f"}  # low, medium, high
PERIOD_LOGGED, PERIOD_PREDICTED = "#c62839", "#f5a3ad"
FERTILE, OVULATION = "#b8dff5", "#1f78b4"
LH_POSITIVE_COLOR, FERTILE_MUCUS_COLOR = "#7b3fa0", "#1f78b4"
TEMPERATURE = "#c62839"


@dataclass(frozen=True)
class TimelineDay:
    date: date
    period: str | None
    is_fertile: bool
    is_ovulation: bool
    logged: int | None  # energy she logged
    predicted: int | None  # served to her (recorded), or forecast for a later day
    served: bool  # ``predicted`` was shown to her that day (a record)
    bbt: float | None
    lh_positive: bool
    fertile_mucus: bool


def timeline_days(*, user, today: date | None = None) -> list[TimelineDay]:
    """Her days from six months ago to a month ahead, in a fixed number of queries."""
    today = today or user.local_today()
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    data = cycle_services.cycle_data_load(user=user)
    entries = forecast_days(
        user=user,
        data=data,
        today=today,
        days=date_range(start, end),
        energy_from=today + timedelta(days=1),  # today only if served: nothing recorded here
    )
    moods = dict(
        DailyMood.objects.for_user(user)
        .filter(date__gte=start, date__lte=end)
        .values_list("date", "energy_level")
    )
    records = dict(
        PredictionRecord.objects.for_user(user)
        .filter(date__gte=start, date__lte=end)
        .values_list("date", "predicted_level")
    )
    signs = {
        row[0]: row[1:]
        for row in Sign.objects.for_user(user)
        .filter(date__gte=start, date__lte=end)
        .values_list("date", "bbt_celsius", "lh_test", "cervical_mucus")
    }
    days = []
    for entry in entries:
        where = entry.position
        bbt, lh, mucus = signs.get(entry.date, (None, None, None))
        served = entry.date in records
        days.append(
            TimelineDay(
                date=entry.date,
                period=period_of(where),
                is_fertile=bool(where and where.is_fertile),
                is_ovulation=bool(where and where.is_ovulation),
                logged=moods.get(entry.date),
                predicted=records[entry.date]
                if served
                else (entry.energy["level"] if entry.energy else None),
                served=served,
                bbt=float(bbt) if bbt is not None else None,
                lh_positive=lh == LH_POSITIVE,
                fertile_mucus=mucus in FERTILE_MUCUS,
            )
        )
    return days


# --- Drawing ---------------------------------------------------------------------------

LEFT, RIGHT, DAY_WIDTH = 150, 12, 4
LANES = [  # (key, label, height)
    ("cycle", "Period · fertile", 22),
    ("logged", "Energy she logged", 16),
    ("predicted", "Energy predicted", 16),
    ("bbt", "Temperature (°C)", 80),
    ("signs", "LH test · mucus", 16),
]
GAP, TOP = 10, 34


def _rect(x, y, w, h, fill, extra="") -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"{extra}/>'


def _text(x, y, text, *, size=12, anchor="start", fill="#333", weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def timeline_svg(days: list[TimelineDay], *, today: date) -> str:
    """The picture: one column a day, one lane a kind of data, today marked."""
    width = LEFT + len(days) * DAY_WIDTH + RIGHT
    lanes, y = {}, TOP
    for key, label, height in LANES:
        lanes[key] = (y, height, label)
        y += height + GAP
    legend_y = y + 8
    first = days[0].date

    def x_of(day: date) -> float:
        return LEFT + (day - first).days * DAY_WIDTH

    parts = [
        f"<title>Her cycle, energy and signs from {first.isoformat()} to "
        f"{days[-1].date.isoformat()}</title>",
    ]
    # Lane backgrounds (the days ahead in a cooler shade) and labels.
    future_x = x_of(today + timedelta(days=1))
    for top, lane_height, label in lanes.values():
        parts.append(_rect(LEFT, top, future_x - LEFT, lane_height, "#f3f3f3"))
        parts.append(
            _rect(future_x, top, x_of(days[-1].date) + DAY_WIDTH - future_x, lane_height, "#eaf0f8")
        )
        parts.append(_text(LEFT - 8, top + lane_height / 2 + 4, label, anchor="end"))
    bottom = y - GAP
    # Months: a line and a name at each first day.
    for day in days:
        if day.date.day == 1:
            x = x_of(day.date)
            parts.append(
                f'<line x1="{x}" y1="{TOP - 14}" x2="{x}" y2="{bottom}" '
                'stroke="#bbb" stroke-width="0.6"/>'
            )
            parts.append(_text(x + 3, TOP - 6, day.date.strftime("%b %Y"), size=11, fill="#555"))
    for day in days:
        x = x_of(day.date)
        top, h, _ = lanes["cycle"]
        if day.period:
            colour = PERIOD_LOGGED if day.period == "logged" else PERIOD_PREDICTED
            parts.append(_rect(x, top, DAY_WIDTH, h, colour))
        elif day.is_fertile:
            parts.append(_rect(x, top + 4, DAY_WIDTH, h - 8, FERTILE))
        if day.is_ovulation:
            parts.append(
                f'<circle cx="{x + DAY_WIDTH / 2}" cy="{top + h / 2}" r="3.2" fill="{OVULATION}"/>'
            )
        top, h, _ = lanes["logged"]
        if day.logged is not None:
            parts.append(_rect(x, top, DAY_WIDTH - 0.5, h, ENERGY_COLOURS[day.logged]))
        top, h, _ = lanes["predicted"]
        if day.predicted is not None:
            opacity = "" if day.served else ' fill-opacity="0.55"'
            parts.append(_rect(x, top, DAY_WIDTH - 0.5, h, ENERGY_COLOURS[day.predicted], opacity))
            if day.served and day.logged is not None and day.logged != day.predicted:
                parts.append(
                    f'<circle cx="{x + DAY_WIDTH / 2}" cy="{top + h / 2}" r="1.4" fill="#222"/>'
                )
        top, h, _ = lanes["signs"]
        if day.lh_positive:
            cx = x + DAY_WIDTH / 2
            parts.append(
                f'<path d="M{cx - 3.5} {top + h - 2} L{cx + 3.5} {top + h - 2} '
                f'L{cx} {top + 2} Z" fill="{LH_POSITIVE_COLOR}"/>'
            )
        elif day.fertile_mucus:
            parts.append(
                f'<circle cx="{x + DAY_WIDTH / 2}" cy="{top + h / 2}" r="2.2" '
                f'fill="{FERTILE_MUCUS_COLOR}"/>'
            )
    parts.extend(_temperature(days, lanes["bbt"], x_of))
    # Today.
    tx = x_of(today) + DAY_WIDTH / 2
    parts.append(
        f'<line x1="{tx}" y1="{TOP - 4}" x2="{tx}" y2="{bottom + 2}" stroke="#222" '
        'stroke-width="1.2" stroke-dasharray="3 2"/>'
    )
    parts.append(
        _text(tx, 12, f"today {today.isoformat()}", size=11, anchor="middle", weight="bold")
    )
    parts.append(_text(future_x + 4, bottom + 14, "ahead: predicted", size=10, fill="#557"))
    legend, height = _legend(legend_y, width - RIGHT)
    parts.extend(legend)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="100%" style="max-width:{width}px;font-family:sans-serif" role="img" '
        f'aria-label="Her last six months and the month ahead">'
    )
    return "".join([head, *parts, "</svg>"])


def _temperature(days, lane, x_of) -> list[str]:
    top, h, _ = lane
    values = [d.bbt for d in days if d.bbt is not None]
    if not values:
        return [_text(LEFT + 6, top + h / 2 + 4, "no temperature logged", size=11, fill="#777")]
    low, high = min(values) - 0.1, max(values) + 0.1

    def y_of(value):
        return top + h - (value - low) / (high - low) * h

    parts = [
        _text(LEFT - 8, top + 10, f"{high - 0.1:.2f}", size=10, anchor="end", fill="#777"),
        _text(LEFT - 8, top + h, f"{low + 0.1:.2f}", size=10, anchor="end", fill="#777"),
    ]
    run: list[str] = []
    for day in [*days, None]:
        if day is not None and day.bbt is not None:
            run.append(f"{x_of(day.date) + DAY_WIDTH / 2:.1f},{y_of(day.bbt):.1f}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{TEMPERATURE}" '
                'stroke-width="1.2"/>'
            )
        for point in run:
            cx, cy = point.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.3" fill="{TEMPERATURE}"/>')
        run = []
    return parts


def _legend(y, right) -> tuple[list[str], float]:
    """The legend's marks, in rows that fit; and the height the picture needs."""
    items = [
        ("rect", PERIOD_LOGGED, "period logged"),
        ("rect", PERIOD_PREDICTED, "period predicted"),
        ("rect", FERTILE, "fertile"),
        ("circle", OVULATION, "ovulation"),
        ("rect", ENERGY_COLOURS[0], "low energy"),
        ("rect", ENERGY_COLOURS[1], "medium energy"),
        ("rect", ENERGY_COLOURS[2], "high energy (pale: forecast)"),
        ("dot", "#222", "prediction missed what she logged"),
        ("triangle", LH_POSITIVE_COLOR, "LH positive"),
        ("circle", FERTILE_MUCUS_COLOR, "watery / egg-white mucus"),
    ]
    parts, x = [], LEFT
    for shape, colour, label in items:
        if x + 16 + 6.4 * len(label) > right:  # next row
            x, y = LEFT, y + 20
        if shape == "rect":
            parts.append(_rect(x, y, 12, 12, colour))
        elif shape == "triangle":
            parts.append(
                f'<path d="M{x} {y + 12} L{x + 12} {y + 12} L{x + 6} {y} Z" fill="{colour}"/>'
            )
        else:
            r = 2 if shape == "dot" else 5
            parts.append(f'<circle cx="{x + 6}" cy="{y + 6}" r="{r}" fill="{colour}"/>')
        parts.append(_text(x + 16, y + 10, label, size=11))
        x += 16 + 6.4 * len(label) + 14
    return parts, y + 20
