"""The cycle engine, without a database: plain dates in, plain values out."""

import itertools
from datetime import date, timedelta

import pytest

from core.vocabulary import DEFAULT_MENSES_LENGTH, PHASES
from cycles import engine
from cycles.engine import (
    POPULATION_CYCLE_LENGTH,
    CycleProfile,
    LoggedPeriod,
    current_cycle,
    cycle_lengths,
    cycle_stats,
    estimate_cycle,
    fertile_window,
    ovulation_date,
    position_on,
    positions,
    predict_next_period,
)

FIRST = date(2024, 1, 1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def history(gaps, *, first=FIRST, bleeding=5, ongoing_last=False):
    """Periods with the given gaps between starts, each `bleeding` days long."""
    starts = [first]
    for gap in gaps:
        starts.append(starts[-1] + days(gap))
    periods = [LoggedPeriod(start, start + days(bleeding - 1)) for start in starts]
    if ongoing_last:
        periods[-1] = LoggedPeriod(periods[-1].start)
    return periods


def span(start: date, n: int) -> list[date]:
    return [start + days(i) for i in range(n)]


# ------------------------------------------------------------------ cycle lengths


def test_cycle_lengths_are_the_days_between_consecutive_starts():
    starts = [date(2024, 1, 1), date(2024, 1, 29), date(2024, 3, 1)]
    assert cycle_lengths(starts) == [28, 32]


def test_cycle_lengths_ignore_input_order_and_duplicate_starts():
    starts = [date(2024, 3, 1), date(2024, 1, 1), date(2024, 1, 29), date(2024, 1, 1)]
    assert cycle_lengths(starts) == [28, 32]


def test_cycle_lengths_need_two_starts():
    assert cycle_lengths([]) == []
    assert cycle_lengths([FIRST]) == []


# ------------------------------------------------------------- the prediction itself


def test_it_predicts_nothing_without_a_period():
    assert predict_next_period([], on=FIRST) is None


def test_it_ignores_periods_that_start_after_on():
    periods = history([28, 28])
    assert predict_next_period(periods, on=FIRST - days(1)) is None
    as_of_first = predict_next_period(periods, on=FIRST + days(3))
    assert as_of_first == predict_next_period(periods[:1], on=FIRST + days(3))


def test_without_history_it_uses_the_population_prior():
    prediction = predict_next_period([LoggedPeriod(FIRST)], on=FIRST)
    assert prediction.cycle_length == POPULATION_CYCLE_LENGTH
    assert prediction.start_date == FIRST + days(POPULATION_CYCLE_LENGTH)
    assert prediction.basis == engine.Basis("population_prior", 0, 0)


def test_without_history_it_uses_her_profile_cycle_length():
    prediction = predict_next_period(
        [LoggedPeriod(FIRST)], on=FIRST, profile=CycleProfile(cycle_length=33)
    )
    assert prediction.cycle_length == 33
    assert prediction.basis.method == "profile"


def test_a_single_cycle_is_pulled_toward_the_prior():
    prediction = predict_next_period(history([36]), on=FIRST + days(36))
    assert POPULATION_CYCLE_LENGTH < prediction.cycle_length < 36
    assert prediction.basis == engine.Basis("history_shrunk", 1, 0)


def test_the_pull_toward_the_prior_weakens_as_history_grows():
    predicted = [estimate_cycle([35] * n).centre for n in (1, 2, 4, 8, 12)]
    assert predicted == sorted(predicted)
    assert predicted[0] < 33 and predicted[-1] > 34.5


def test_a_long_steady_history_predicts_her_own_length():
    prediction = predict_next_period(history([33] * 12), on=FIRST + days(33 * 12))
    assert prediction.cycle_length == 33
    assert prediction.basis.cycles_used == 12


def test_history_is_pulled_toward_her_profile_rather_than_the_population():
    periods = history([26, 26])
    on = periods[-1].start
    population = predict_next_period(periods, on=on)
    profiled = predict_next_period(periods, on=on, profile=CycleProfile(cycle_length=22))
    assert profiled.cycle_length < population.cycle_length
    assert profiled.basis.method == "history_shrunk_to_profile"


def test_only_the_recent_cycles_count():
    old_then_recent = [40] * 12 + [27] * engine.HISTORY_WINDOW
    assert estimate_cycle(old_then_recent).length == 27


def test_it_excludes_a_missed_log_gap():
    prediction = predict_next_period(history([28, 28, 57, 28]), on=FIRST + days(141))
    assert prediction.cycle_length == 28
    assert prediction.basis == engine.Basis("history_shrunk", 3, 1)


def test_it_excludes_spotting_logged_as_a_period():
    # 28, 28, then spotting 4 days after a start, then the real next start.
    prediction = predict_next_period(history([28, 28, 4, 24, 28]), on=FIRST + days(112))
    assert prediction.basis.cycles_excluded == 1
    assert prediction.cycle_length == 28


def test_a_missed_log_in_a_short_history_does_not_stretch_the_prediction():
    prediction = predict_next_period(history([58]), on=FIRST + days(58))
    assert prediction.cycle_length == POPULATION_CYCLE_LENGTH
    assert prediction.basis == engine.Basis("population_prior", 0, 1)


def test_missed_logs_cannot_outvote_her_real_cycles():
    prediction = predict_next_period(history([29, 57, 58, 59]), on=FIRST + days(203))
    assert prediction.cycle_length == 29
    assert prediction.basis.cycles_excluded == 3


def test_consistently_long_cycles_are_hers_not_missed_logs():
    prediction = predict_next_period(history([50, 52, 51]), on=FIRST + days(153))
    assert prediction.basis.cycles_excluded == 0
    assert prediction.cycle_length > 45


def test_one_unusually_long_cycle_does_not_move_the_prediction():
    steady = predict_next_period(history([28] * 6), on=FIRST + days(168))
    bumpy = history([28, 28, 28, 38, 28, 28])
    assert predict_next_period(bumpy, on=FIRST + days(178)).cycle_length == steady.cycle_length


def test_the_interval_is_an_80_percent_interval_around_the_prediction():
    prediction = predict_next_period(history([27, 30, 28, 29]), on=FIRST + days(114))
    assert prediction.interval == engine.INTERVAL == 0.8
    assert prediction.earliest < prediction.start_date < prediction.latest


def test_an_irregular_history_gets_a_wider_interval():
    def width(gaps):
        prediction = predict_next_period(history(gaps), on=FIRST + days(sum(gaps)))
        return (prediction.latest - prediction.earliest).days

    assert width([24, 33, 26, 31, 25, 34]) > width([28, 29, 28, 28, 29, 28])


def test_a_short_history_gets_a_wider_interval_than_a_long_one():
    short, long = estimate_cycle([28]), estimate_cycle([28] * 10)
    assert short.scale > long.scale
    assert estimate_cycle([]).scale > short.scale


# ----------------------------------------------------------------- a late period


def test_a_period_due_today_is_not_late_and_is_predicted_from_tomorrow():
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date
    prediction = predict_next_period(periods, on=due)
    assert (prediction.status, prediction.days_late) == ("due_today", 0)
    assert prediction.expected_start == due
    # A start today would have been logged: the earliest start is tomorrow.
    assert due < prediction.earliest <= prediction.start_date <= prediction.latest


def test_the_status_says_upcoming_due_today_or_late():
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date
    statuses = [predict_next_period(periods, on=due + days(n)).status for n in (-1, 0, 1, 10)]
    assert statuses == ["upcoming", "due_today", "late", "late"]


def test_a_late_period_counts_the_days_late_and_moves_forward():
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date
    on = due + days(3)
    prediction = predict_next_period(periods, on=on)
    assert prediction.days_late == 3
    assert prediction.expected_start == due
    assert prediction.start_date > on
    assert prediction.earliest > on
    assert prediction.earliest <= prediction.start_date <= prediction.latest
    assert prediction.cycle_length == (prediction.start_date - periods[-1].start).days


def test_the_interval_widens_the_later_she_is():
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date

    def width(late):
        prediction = predict_next_period(periods, on=due + days(late))
        return (prediction.latest - prediction.earliest).days

    assert width(20) > width(2)


def test_before_the_expected_start_the_earliest_day_is_after_on():
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date
    prediction = predict_next_period(periods, on=due - days(2))
    assert prediction.start_date == due
    assert prediction.earliest == due - days(1)  # a start on `on` would have been logged


def test_a_very_late_period_is_still_predicted_after_on():
    periods = history([28, 28])
    on = periods[-1].start + days(400)
    prediction = predict_next_period(periods, on=on)
    assert prediction.days_late > 300
    assert on < prediction.earliest <= prediction.start_date <= prediction.latest


# ------------------------------------------------------ ovulation, fertile window


def test_ovulation_is_the_next_start_minus_the_luteal_length():
    next_start = date(2024, 2, 29)
    assert ovulation_date(next_start) == date(2024, 2, 15)
    assert ovulation_date(next_start, profile=CycleProfile(luteal_length=11)) == date(2024, 2, 18)


def test_ovulation_stays_inside_the_cycle_when_the_luteal_is_longer_than_the_cycle():
    profile = CycleProfile(luteal_length=25)
    assert ovulation_date(FIRST + days(20), profile=profile, cycle_start=FIRST) == FIRST


def test_the_fertile_window_is_the_six_days_ending_on_ovulation():
    assert fertile_window(date(2024, 2, 15)) == (date(2024, 2, 10), date(2024, 2, 15))


def test_the_current_cycle_reports_ovulation_and_the_fertile_window():
    periods = history([28, 28, 28])
    now = current_cycle(periods, on=periods[-1].start + days(9))
    next_start = now.next_period.start_date
    assert now.day_of_cycle == 10
    assert now.ovulation_date == next_start - days(14)
    assert (now.fertile_window_start, now.fertile_window_end) == fertile_window(now.ovulation_date)
    assert now.is_fertile
    assert now.cycle_length == now.next_period.cycle_length


def test_there_is_no_current_cycle_before_the_first_period():
    assert current_cycle(history([28]), on=FIRST - days(1)) is None


# ----------------------------------------------------------------- the phase rule


def completed_cycle_phases(length=28, bleeding=5, profile=None):
    """Phases of the first cycle of a two-cycle history, by day of cycle."""
    periods = history([length, 28], bleeding=bleeding)
    found = positions(periods, span(FIRST, length), on=FIRST + days(length + 28), profile=profile)
    return {p.day_of_cycle: p.phase for p in found.values()}


def test_the_phase_rule_at_its_boundaries():
    phases = completed_cycle_phases()
    # next start on day 29, ovulation = day 29 - 14 = day 15
    assert [phases[d] for d in (1, 5)] == ["menstrual", "menstrual"]
    assert [phases[d] for d in (6, 13)] == ["follicular", "follicular"]
    assert [phases[d] for d in (14, 15, 16)] == ["ovulatory"] * 3
    assert [phases[d] for d in (17, 28)] == ["luteal", "luteal"]


def test_the_ovulation_day_follows_her_luteal_length():
    phases = completed_cycle_phases(profile=CycleProfile(luteal_length=10))
    # ovulation on day 29 - 10 = day 19
    assert [phases[d] for d in (16, 17, 18, 19, 20, 21)] == [
        "follicular",
        "follicular",
        "ovulatory",
        "ovulatory",
        "ovulatory",
        "luteal",
    ]


def test_menstrual_wins_over_ovulatory_in_a_very_short_cycle():
    phases = completed_cycle_phases(length=16, bleeding=4)
    # ovulation on day 17 - 14 = day 3: days 2-4 would be ovulatory, but menses win
    assert [phases[d] for d in range(1, 7)] == ["menstrual"] * 4 + ["luteal"] * 2


def test_every_day_gets_exactly_one_phase_even_with_a_weird_profile():
    weird = CycleProfile(cycle_length=20, luteal_length=30, menses_length=25)
    periods = history([28, 9, 40], ongoing_last=True)
    on = periods[-1].start + days(10)
    found = positions(periods, span(FIRST - days(3), 150), on=on, profile=weird)
    for position in filter(None, found.values()):
        assert position.phase in PHASES
        assert position.day_of_cycle >= 1
        assert position.is_period == (position.phase == "menstrual")


def test_an_ongoing_period_lasts_the_menses_length():
    periods = [*history([28], bleeding=6), LoggedPeriod(FIRST + days(56))]
    found = positions(periods, span(FIRST + days(56), 8), on=FIRST + days(57))
    # her average logged period is 6 days
    assert [p.is_period for p in found.values()] == [True] * 6 + [False] * 2


def test_menses_length_comes_from_the_profile_then_her_average_then_the_default():
    def bleeding_days(periods, profile=None):
        last = periods[-1].start
        found = positions(periods, span(last, 12), on=last, profile=profile)
        return sum(p.is_period for p in found.values())

    assert bleeding_days([LoggedPeriod(FIRST)]) == DEFAULT_MENSES_LENGTH
    assert (
        bleeding_days([LoggedPeriod(FIRST, FIRST + days(2)), LoggedPeriod(FIRST + days(28))]) == 3
    )
    assert bleeding_days([LoggedPeriod(FIRST)], CycleProfile(menses_length=7)) == 7


def test_late_days_stay_luteal_and_earlier_days_keep_their_phase():
    periods = history([28, 28, 28])
    last = periods[-1].start
    due = predict_next_period(periods, on=last).start_date
    lived = span(last, 28)
    before = positions(periods, lived, on=due - days(1))
    late = positions(periods, [*lived, *span(due, 10)], on=due + days(9))
    for day in lived:  # only the expected next start, not the past, moves
        was, now = before[day], late[day]
        assert (now.phase, now.day_of_cycle, now.is_fertile) == (
            was.phase,
            was.day_of_cycle,
            was.is_fertile,
        )
    for day in span(due, 10):
        assert late[day].phase == "luteal"
        assert late[day].cycle_start == last
        assert late[day].day_of_cycle == (day - last).days + 1


# -------------------------------------------------------------------- positions


def test_positions_before_the_first_period_are_none():
    found = positions(history([28]), [FIRST - days(1), FIRST], on=FIRST + days(40))
    assert found[FIRST - days(1)] is None
    assert found[FIRST].day_of_cycle == 1


def test_positions_without_any_period_are_none():
    assert positions([], [FIRST], on=FIRST) == {FIRST: None}
    assert position_on([], FIRST, on=FIRST) is None


def test_a_completed_cycle_uses_the_actual_next_start():
    periods = history([35, 28, 28])
    position = position_on(periods, FIRST + days(10), on=FIRST + days(100))
    assert position.cycle_length == 35
    assert position.days_until_next == 25
    assert position.day_of_cycle == 11
    assert not position.is_predicted_period


def test_the_current_cycle_uses_the_prediction():
    periods = history([28, 28])
    on = periods[-1].start + days(5)
    prediction = predict_next_period(periods, on=on)
    position = position_on(periods, on, on=on)
    assert position.cycle_start == periods[-1].start
    assert position.cycle_length == prediction.cycle_length
    assert position.days_until_next == (prediction.start_date - on).days


def test_future_cycles_repeat_the_predicted_length_with_predicted_periods():
    periods = history([30, 30, 30, 30])
    on = periods[-1].start + days(3)
    prediction = predict_next_period(periods, on=on)
    length = prediction.usual_cycle_length
    found = positions(periods, span(on, 120), on=on)
    starts = [d for d, p in found.items() if p.day_of_cycle == 1]
    assert starts[0] == prediction.start_date
    assert all((b - a).days == length for a, b in itertools.pairwise(starts))
    for start in starts:
        assert found[start].is_predicted_period and found[start].cycle_length == length
    assert not found[on].is_predicted_period and found[on].is_period  # her logged period


def test_a_period_due_today_leaves_today_in_her_current_cycle_until_she_logs_it():
    # Before issue 11 the due day was day 1 of a predicted cycle: a prediction shown
    # as a lived day. Now a day up to `on` is day 1 only on a logged start.
    periods = history([28, 28, 28])
    due = predict_next_period(periods, on=periods[-1].start).start_date
    today = position_on(periods, due, on=due)
    assert today.day_of_cycle == 29
    assert today.cycle_start == periods[-1].start
    assert not today.is_predicted_period
    assert today.phase == "luteal"
    now = current_cycle(periods, on=due)
    assert now.day_of_cycle == 29
    assert now.next_period.status == "due_today"
    tomorrow = position_on(periods, due + days(1), on=due)
    assert tomorrow.day_of_cycle == 1 and tomorrow.is_predicted_period
    assert now.next_period.start_date == due + days(1)
    # Once she logs it, today is day 1 of her logged period.
    logged = [*periods, LoggedPeriod(due)]
    assert position_on(logged, due, on=due).day_of_cycle == 1
    assert current_cycle(logged, on=due).next_period.status == "upcoming"


def test_the_batch_agrees_with_one_day_at_a_time():
    periods = history([27, 31, 29, 30], ongoing_last=True)
    on = periods[-1].start + days(12)
    wanted = span(FIRST - days(2), 200)
    batch = positions(periods, reversed(wanted), on=on)
    assert set(batch) == set(wanted)
    assert all(batch[d] == position_on(periods, d, on=on) for d in wanted)


def test_a_logged_end_after_on_reads_as_ongoing():
    periods = [LoggedPeriod(FIRST, FIRST + days(9))]
    on = FIRST + days(1)
    found = positions(periods, span(FIRST, 8), on=on)
    assert sum(p.is_period for p in found.values()) == DEFAULT_MENSES_LENGTH


# ------------------------------------------------------------------------ stats


def test_stats_summarise_her_cycles_and_periods():
    periods = [
        LoggedPeriod(date(2024, 1, 1), date(2024, 1, 5)),
        LoggedPeriod(date(2024, 1, 29), date(2024, 2, 1)),
        LoggedPeriod(date(2024, 3, 1)),
        LoggedPeriod(date(2024, 3, 28), date(2024, 4, 2)),
    ]
    stats = cycle_stats(list(reversed(periods)))
    assert stats.period_count == 4
    assert stats.cycle_count == 3
    assert stats.cycle_lengths == [28, 32, 27]
    assert stats.average_cycle_length == 29.0
    assert stats.median_cycle_length == 28.0
    assert stats.cycle_length_sd == 2.6
    assert (stats.shortest_cycle, stats.longest_cycle) == (27, 32)
    assert stats.average_period_length == 5.0  # 5, 4, 6 days; the ongoing one is left out
    assert stats.regularity == "regular"


def test_stats_without_periods_are_empty():
    stats = cycle_stats([])
    assert (stats.period_count, stats.cycle_count, stats.cycle_lengths) == (0, 0, [])
    assert stats.average_cycle_length is None and stats.cycle_length_sd is None
    assert stats.regularity == "insufficient_data"


@pytest.mark.parametrize(
    ("gaps", "expected"),
    [
        ([28, 30], "insufficient_data"),
        ([25, 32, 28], "regular"),  # differ by exactly 7 days
        ([25, 33, 28], "irregular"),  # 8 days
        ([45] + [28, 29] * 6, "regular"),  # the 45 is older than the last 12 cycles
    ],
)
def test_regularity_follows_figo_over_the_last_twelve_cycles(gaps, expected):
    assert cycle_stats(history(gaps)).regularity == expected


# ------------------------------------------------------------- degenerate input


@pytest.mark.parametrize(
    "profile",
    [
        None,
        CycleProfile(),
        CycleProfile(cycle_length=1, luteal_length=0, menses_length=0),
        CycleProfile(cycle_length=500, luteal_length=60, menses_length=40),
        CycleProfile(cycle_length=21, luteal_length=21, menses_length=21),
    ],
)
def test_degenerate_input_never_raises(profile):
    periods = [
        LoggedPeriod(date(2024, 5, 1), date(2024, 5, 3)),
        LoggedPeriod(date(2024, 1, 1)),  # no end in the middle of history
        LoggedPeriod(date(2024, 1, 1), date(2024, 1, 4)),  # duplicate start
        LoggedPeriod(date(2024, 1, 2), date(2024, 1, 30)),  # one day later, overlapping
        LoggedPeriod(date(2024, 2, 10), date(2024, 2, 1)),  # end before start
        LoggedPeriod(date(2024, 12, 1), date(2024, 12, 3)),  # a 7-month gap
    ]
    for on in (date(2023, 12, 31), date(2024, 1, 2), date(2024, 6, 1), date(2030, 1, 1)):
        prediction = predict_next_period(periods, on=on, profile=profile)
        if prediction is not None:
            assert on <= prediction.start_date
            assert prediction.earliest <= prediction.start_date <= prediction.latest
        found = positions(periods, span(date(2023, 12, 1), 500), on=on, profile=profile)
        assert all(p is None or p.phase in PHASES for p in found.values())
        current_cycle(periods, on=on, profile=profile)
        cycle_stats(periods)


# ------------------------------------------------------------ a period left open


def test_an_open_period_is_named_once_it_cannot_be_going_on_any_more():
    periods = [*history([28], bleeding=6), LoggedPeriod(FIRST + days(56))]
    start = FIRST + days(56)
    assert engine.unclosed_period(periods, on=start + days(14)) is None  # its 15th day
    unclosed = engine.unclosed_period(periods, on=start + days(15))
    assert unclosed == engine.UnclosedPeriod(
        start=start, latest_end=start + days(14), assumed_length=6
    )
    closed = [*periods[:-1], LoggedPeriod(start, start + days(3))]
    assert engine.unclosed_period(closed, on=start + days(40)) is None


def test_an_older_open_period_is_named_and_counts_at_most_until_the_next_start():
    # A next start 10 days after an open one (the API refuses that; the engine copes).
    periods = [LoggedPeriod(FIRST), LoggedPeriod(FIRST + days(10), FIRST + days(14))]
    profile = CycleProfile(menses_length=15)
    unclosed = engine.unclosed_period(periods, on=FIRST + days(30), profile=profile)
    assert (unclosed.start, unclosed.assumed_length) == (FIRST, 10)
