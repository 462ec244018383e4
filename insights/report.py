"""Her cycle report for a doctor: one or two A4 pages, as PDF bytes.

Charts are drawn by matplotlib (the Agg canvas of a ``Figure``, no pyplot: no
global state shared between requests) into PNGs; reportlab's platypus lays out
the pages. The work is bounded: the last ``REPORT_CYCLES`` cycles, temperatures
of at most ``TEMPERATURE_DAYS`` days, her energy as ``/insights`` counts it. The
figures come from ``services`` (the same as ``/insights``), never re-derived.
"""

import io
import statistics
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
import matplotlib.dates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.vocabulary import PHASES
from cycles.engine import alerts as rules
from cycles.engine import regularity
from cycles.engine.stats import REGULARITY_MAX_SPREAD, REGULARITY_MIN_CYCLES

from . import services

REPORT_CYCLES = 12
TEMPERATURE_DAYS = 120  # about four cycles: enough to see a biphasic curve
FONT = "PlanHerSans"
FONT_BOLD = "PlanHerSans-Bold"
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#666666")
ACCENT = "#b03a5b"  # periods
BAND = "#dfe9df"  # the FIGO normal range
NORMAL_BAR = "#5b7fb0"
PHASE_LABELS = {
    "menstrual": "Menstrual",
    "follicular": "Follicular",
    "ovulatory": "Ovulatory",
    "luteal": "Luteal",
}
DASH = "\N{EN DASH}"
DPI = 150  # sharp on paper at these sizes; 200 doubled the encoding time


# Images go into the PDF as binary Flate streams: reportlab's default ASCII85
# wrapping (pure Python here) took a fifth of a render and made the file larger.
rl_config.useA85 = 0


@cache
def _fonts() -> None:
    """DejaVu Sans, shipped with matplotlib: any name she writes, and the signs
    (≤, the en dash, °) a report needs, in the PDF as in the charts."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=16, leading=20),
        "sub": ParagraphStyle("sub", base, textColor=MUTED),
        "h2": ParagraphStyle(
            "h2", base, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
        ),
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, alignment=TA_LEFT),
    }


def _png(figure: Figure, width_mm: float) -> Image:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    # Light compression: reportlab decodes the PNG and compresses it again anyway.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    buffer.seek(0)
    w, h = figure.get_size_inches()
    return Image(buffer, width=width_mm * mm, height=width_mm * mm * h / w)


def _figure(height_in: float, *, left=0.08, bottom=0.2, top=0.95) -> Figure:
    # Fixed margins: constrained layout measured every label, half a chart's time.
    figure = Figure(figsize=(7.2, height_in))
    figure.subplots_adjust(left=left, right=0.97, bottom=bottom, top=top)
    return figure


def _style_axes(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)


def _lengths_chart(cycles: list[dict]) -> Image:
    figure = _figure(2.5, bottom=0.27, top=0.86)
    ax = figure.add_subplot()
    labels = [c["start_date"].strftime("%d %b\n%Y") for c in cycles]
    lengths = [c["length"] for c in cycles]
    low, high = rules.FREQUENCY_NORMAL
    ax.axhspan(low, high, color=BAND, zorder=0)
    bars = ax.bar(range(len(cycles)), lengths, color=NORMAL_BAR, width=0.6, zorder=2)
    for bar, n in zip(bars, lengths, strict=True):
        outside = n < low or n > high
        if outside:
            bar.set_color(ACCENT)
        ax.annotate(
            str(n),
            (bar.get_x() + bar.get_width() / 2, n),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold" if outside else "normal",
        )
    ax.set_xticks(range(len(cycles)), labels, fontsize=7)
    ax.set_ylabel("Cycle length (days)", fontsize=8)
    ax.set_xlabel("Cycle start", fontsize=8)
    ax.set_ylim(0, max([*lengths, high]) * 1.15)
    handles = [
        Patch(color=BAND, label=f"FIGO 2018 normal frequency: {low}{DASH}{high} days"),
        Patch(color=NORMAL_BAR, label="cycle in that range"),
        Patch(color=ACCENT, label="cycle outside it"),
    ]
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=3,
        fontsize=7,
        frameon=False,
        borderaxespad=0.3,
    )
    _style_axes(ax)
    return _png(figure, 180)


def _temperature_chart(readings: list[tuple[date, float]], cycles: list[dict]) -> Image:
    figure = _figure(2.1, bottom=0.14)
    ax = figure.add_subplot()
    days = [day for day, _ in readings]
    ax.plot(days, [t for _, t in readings], "o-", color="#c77d2e", markersize=2.5, lw=1)
    first, last = days[0], days[-1]
    shown = False
    for cycle in cycles:
        start = cycle["start_date"]
        length = cycle["period_length"] or 1
        if start + timedelta(days=length) < first or start > last:
            continue
        ax.axvspan(
            start,
            start + timedelta(days=length),
            color=ACCENT,
            alpha=0.15,
            lw=0,
            label=None if shown else "Period",
        )
        shown = True
    ax.set_ylabel("Basal temperature (°C)", fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%d %b"))
    if shown:
        ax.legend(loc="upper left", fontsize=7, frameon=False)
    _style_axes(ax)
    return _png(figure, 180)


def _energy_chart(by_phase: dict) -> Image:
    figure = _figure(1.7, left=0.13, bottom=0.25, top=0.8)
    ax = figure.add_subplot()
    names = [PHASE_LABELS[p] for p in PHASES][::-1]
    left = [0.0] * len(PHASES)
    shares = {
        level: [
            (by_phase[p][level] / by_phase[p]["n"] * 100 if by_phase[p]["n"] else 0) for p in PHASES
        ][::-1]
        for level in ("low", "medium", "high")
    }
    for level, color in (("low", "#d9a5a5"), ("medium", "#e8d49a"), ("high", "#9cc79c")):
        ax.barh(names, shares[level], left=left, color=color, label=level.capitalize())
        for i, share in enumerate(shares[level]):
            if share >= 8:
                ax.text(
                    left[i] + share / 2, i, f"{share:.0f}%", ha="center", va="center", fontsize=7
                )
        left = [a + b for a, b in zip(left, shares[level], strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of her energy logs in the phase (%)", fontsize=8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.25), ncol=3, fontsize=7, frameon=False)
    _style_axes(ax)
    return _png(figure, 150)


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths], hAlign="LEFT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#dddddd")),
    ]
    if header:
        style += [
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, INK),
        ]
    table.setStyle(TableStyle(style))
    return table


def _days(n: float | None) -> str:
    if n is None:
        return "—"
    return f"{n:g} day" + ("" if n == 1 else "s")


def _summary_rows(cycles: list[dict], completed: list[int], style) -> list[list]:
    low, high = rules.FREQUENCY_NORMAL
    rows = []
    if completed:
        median = statistics.median(completed)
        frequency = rules.figo_frequency(median)
        rows.append(
            [
                "Cycle length",
                f"median {_days(median)}, shortest {min(completed)}, longest "
                f"{max(completed)} ({len(completed)} cycles)",
            ]
        )
        rows.append(
            [
                "Frequency (FIGO 2018)",
                f"{frequency.capitalize()} (normal {low}{DASH}{high} days; frequent < {low}, "
                f"infrequent > {high})",
            ]
        )
        spread = max(completed) - min(completed)
        verdict = regularity(completed)
        said = {
            "regular": "Regular",
            "irregular": "Irregular",
            "insufficient_data": f"Not enough cycles (needs {REGULARITY_MIN_CYCLES})",
        }[verdict]
        rows.append(
            [
                "Regularity (FIGO 2018)",
                f"{said}: {spread} days between shortest and longest (regular ≤ "
                f"{REGULARITY_MAX_SPREAD} days)",
            ]
        )
    bleeding = [c["period_length"] for c in cycles if c["period_length"] is not None]
    if bleeding:
        longest = max(bleeding)
        verdict = "Normal" if longest <= rules.DURATION_NORMAL_MAX else "Prolonged"
        rows.append(
            [
                "Duration of bleeding (FIGO 2018)",
                f"{verdict}: median {_days(statistics.median(bleeding))}, longest "
                f"{_days(longest)} (prolonged > {rules.DURATION_NORMAL_MAX} days)",
            ]
        )
    current = cycles[-1]
    rows.append(["Last period started", current["start_date"].strftime("%d %b %Y")])
    return [[Paragraph(a, style), Paragraph(b, style)] for a, b in rows]


def _header(user, today: date, st) -> list:
    who = escape(user.name or user.email)
    return [
        Paragraph("Menstrual cycle report", st["title"]),
        Paragraph(
            f"{who} · generated {today.strftime('%d %b %Y')} · from what she logged in "
            "PlanHer (self-reported, not clinically verified)",
            st["sub"],
        ),
        Spacer(1, 4 * mm),
    ]


def cycle_report_pdf(*, user, today: date) -> bytes:
    """The report as PDF bytes (about 0.5 s: see the README)."""
    _fonts()
    st = _styles()
    logs = services.her_logs_load(user=user, today=today)
    all_cycles = services.her_cycles(logs)
    story = _header(user, today, st)
    if not all_cycles:
        story += [
            Paragraph("No period logged yet", st["h2"]),
            Paragraph(
                "There is nothing to report: no period has been logged in PlanHer. Once "
                "she logs her periods (two or more make a cycle), this report shows her "
                "cycle lengths, period lengths, regularity and any alerts.",
                st["body"],
            ),
        ]
        return _build(story, user, today)

    cycles = all_cycles[-(REPORT_CYCLES + 1) :]  # the last 12 completed + the current one
    completed_cycles = [c for c in cycles if c["length"] is not None][-REPORT_CYCLES:]
    completed = [c["length"] for c in completed_cycles]

    story.append(Paragraph(f"Summary (last {len(completed)} cycles)", st["h2"]))
    story.append(_table(_summary_rows(cycles, completed, st["cell"]), [50, 130], header=False))

    if completed_cycles:
        story.append(Paragraph("Cycle lengths", st["h2"]))
        story.append(_lengths_chart(completed_cycles))
    else:
        story.append(
            Paragraph("One period logged: a cycle length needs the next start.", st["body"])
        )

    rows = [["Period start", "Cycle length", "Period length"]]
    for cycle in cycles:
        rows.append(
            [
                cycle["start_date"].strftime("%d %b %Y"),
                _days(cycle["length"]) if cycle["length"] is not None else "current cycle",
                _days(cycle["period_length"]) if cycle["period_length"] else "not ended",
            ]
        )
    story.append(KeepTogether([Paragraph("Cycles", st["h2"]), _table(rows, [40, 40, 40])]))

    alerts = services.alerts_from(logs)
    story.append(Paragraph("Alerts (last 6 months)", st["h2"]))
    if alerts:
        for alert in alerts:
            story.append(
                Paragraph(
                    f"<b>{escape(alert.title)}</b> (since {alert.since.strftime('%d %b %Y')}): "
                    f"{escape(alert.detail.replace(' ' + rules.NOT_A_DIAGNOSIS, ''))}",
                    st["body"],
                )
            )
    else:
        story.append(
            Paragraph(
                "None: no prolonged periods, irregular or infrequent cycles, cycles under "
                f"{rules.SHORT_CYCLE_DAYS} or over {rules.LONG_CYCLE_DAYS} days, or reported "
                "unusual bleeding.",
                st["body"],
            )
        )

    start = max(cycles[0]["start_date"], today - timedelta(days=TEMPERATURE_DAYS - 1))
    readings = [  # her signs up to today, oldest first: already read with her cycles
        (sign.date, float(sign.bbt_celsius))
        for sign in logs.data.signs
        if sign.date >= start and sign.bbt_celsius is not None
    ]
    if readings:
        story.append(
            KeepTogether(
                [
                    Paragraph(
                        f"Basal body temperature, {readings[0][0].strftime('%d %b %Y')} to "
                        f"{readings[-1][0].strftime('%d %b %Y')} ({len(readings)} days "
                        "measured)",
                        st["h2"],
                    ),
                    _temperature_chart(readings, cycles),
                ]
            )
        )

    by_phase = services.energy_by_phase(user=user, logs=logs)
    if any(counts["n"] for counts in by_phase.values()):
        rows = [["Phase", "Logs", "Low", "Medium", "High"]] + [
            [
                PHASE_LABELS[p],
                by_phase[p]["n"],
                by_phase[p]["low"],
                by_phase[p]["medium"],
                by_phase[p]["high"],
            ]
            for p in PHASES
        ]
        story.append(
            KeepTogether(
                [
                    Paragraph("Energy by phase (her daily logs, last 2 years)", st["h2"]),
                    _energy_chart(by_phase),
                    _table(rows, [30, 18, 18, 18, 18]),
                ]
            )
        )

    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            "A cycle runs from the first day of one period to the day before the next. "
            "FIGO 2018: Munro MG et al., Int J Gynaecol Obstet 2018;143:393-408. Alert "
            "thresholds: Apple Health cycle deviations (6 months). This report is not a "
            "diagnosis.",
            st["small"],
        ),
    ]
    return _build(story, user, today)


def _build(story: list, user, today: date) -> bytes:
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(15 * mm, 8 * mm, f"PlanHer cycle report · {today.isoformat()}")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title="Menstrual cycle report",
        author="PlanHer",
        invariant=True,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
