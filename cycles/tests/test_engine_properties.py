"""Properties of the cycle engine that hold for any valid history (hypothesis)."""

import itertools
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.vocabulary import PHASES
from cycles.engine import (
    CycleProfile,
    LoggedPeriod,
    current_cycle,
    cycle_stats,
    position_on,
    positions,
    predict_next_period,
)

FAST = settings(max_examples=60, deadline=None)


@st.composite
def period_histories(draw) -> list[LoggedPeriod]:
    """Valid periods as the API stores them: non-overlapping, end >= start, <= 15 days."""
    start = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)))
    periods = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        length = draw(st.none() | st.integers(min_value=1, max_value=15))
        periods.append(
            LoggedPeriod(start, None if length is None else start + timedelta(length - 1))
        )
        # the next period starts after this one ends (or could have ended, if ongoing)
        start += timedelta(days=draw(st.integers(min_value=(length or 1), max_value=120)))
    return draw(st.permutations(periods))  # the engine must not rely on the order


profiles = st.none() | st.builds(
    CycleProfile,
    cycle_length=st.none() | st.integers(min_value=15, max_value=90),
    luteal_length=st.none() | st.integers(min_value=5, max_value=25),
    menses_length=st.none() | st.integers(min_value=1, max_value=15),
)


def query_day(periods: list[LoggedPeriod], draw) -> date:
    """`on`: anywhere from before her first period to long after her last."""
    if not periods:
        return date(2024, 1, 1)
    latest = max(p.start for p in periods)
    return latest + timedelta(days=draw(st.integers(min_value=-200, max_value=200)))


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_the_prediction_is_never_before_on_and_sits_inside_its_interval(data, periods, profile):
    on = query_day(periods, data.draw)
    prediction = predict_next_period(periods, on=on, profile=profile)
    if not any(p.start <= on for p in periods):
        assert prediction is None
        return
    last = max(p.start for p in periods if p.start <= on)
    assert on < prediction.earliest <= prediction.start_date <= prediction.latest
    assert prediction.cycle_length == (prediction.start_date - last).days >= 1
    assert prediction.interval == 0.8
    assert (prediction.days_late > 0) == (on > prediction.expected_start)
    expected = {-1: "upcoming", 0: "due_today", 1: "late"}
    assert (
        prediction.status
        == expected[(on > prediction.expected_start) - (on < prediction.expected_start)]
    )
    assert prediction.basis.cycles_used + prediction.basis.cycles_excluded <= len(periods)


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_every_day_gets_one_phase_and_a_day_of_cycle_of_at_least_one(data, periods, profile):
    on = query_day(periods, data.draw)
    first_day = on - timedelta(days=data.draw(st.integers(min_value=0, max_value=400)))
    wanted = [first_day + timedelta(days=i) for i in range(data.draw(st.integers(1, 500)))]
    found = positions(periods, wanted, on=on, profile=profile)
    assert set(found) == set(wanted)
    known = [p.start for p in periods if p.start <= on]
    for day, position in found.items():
        if not known or day < min(known):
            assert position is None
            continue
        assert position.phase in PHASES
        assert position.day_of_cycle >= 1
        assert position.cycle_start <= day
        assert position.day_of_cycle + position.days_until_next == position.cycle_length + 1
        assert position.is_period == (position.phase == "menstrual")
        assert not position.is_predicted_period or position.is_period
        if day < on:
            assert not position.is_predicted_period  # the past is what she logged


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_one_day_at_a_time_agrees_with_the_batch(data, periods, profile):
    on = query_day(periods, data.draw)
    day = on + timedelta(days=data.draw(st.integers(min_value=-300, max_value=300)))
    batch = positions(periods, [day - timedelta(days=40), day, on], on=on, profile=profile)
    assert position_on(periods, day, on=on, profile=profile) == batch[day]


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_any_valid_history_is_accepted(data, periods, profile):
    on = query_day(periods, data.draw)
    now = current_cycle(periods, on=on, profile=profile)
    if now is not None:
        assert now.phase in PHASES and now.day_of_cycle >= 1
        assert now.fertile_window_end == now.ovulation_date
        assert now.next_period.start_date > on
    stats = cycle_stats(periods)
    assert stats.period_count == len(periods)
    assert stats.cycle_count == max(0, len(periods) - 1) == len(stats.cycle_lengths)
    assert stats.regularity in ("regular", "irregular", "insufficient_data")


# --- Coherence (issue 11): one timeline for every day, past, today and to come ----------


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_consecutive_days_continue_and_restart_only_on_a_start(data, periods, profile):
    on = query_day(periods, data.draw)
    first_day = on - timedelta(days=data.draw(st.integers(min_value=0, max_value=120)))
    wanted = [first_day + timedelta(days=i) for i in range(200)]
    found = positions(periods, wanted, on=on, profile=profile)
    logged_starts = {p.start for p in periods if p.start <= on}
    for before, day in itertools.pairwise(wanted):
        was, now = found[before], found[day]
        if was is None or now is None:
            continue
        if now.day_of_cycle == 1:
            # A start: logged, or predicted, and a predicted one only after `on`.
            assert day in logged_starts or (day > on and now.is_predicted_period)
        else:
            assert now.day_of_cycle == was.day_of_cycle + 1
            assert now.cycle_start == was.cycle_start


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_no_day_up_to_on_is_day_one_unless_she_logged_a_start_on_it(data, periods, profile):
    on = query_day(periods, data.draw)
    wanted = [on - timedelta(days=i) for i in range(120)]
    logged_starts = {p.start for p in periods if p.start <= on}
    for day, position in positions(periods, wanted, on=on, profile=profile).items():
        if position is not None and position.day_of_cycle == 1:
            assert day in logged_starts
        if position is not None:
            assert not position.is_predicted_period


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_the_next_period_is_the_first_predicted_period_day_after_on(data, periods, profile):
    on = query_day(periods, data.draw)
    now = current_cycle(periods, on=on, profile=profile)
    if now is None:
        return
    start = now.next_period.start_date
    assert start > on
    wanted = [on + timedelta(days=i) for i in range((start - on).days + 1)]
    found = positions(periods, wanted, on=on, profile=profile)
    predicted = [day for day in wanted if found[day].is_predicted_period]
    assert predicted[0] == start
    assert found[start].day_of_cycle == 1


@FAST
@given(data=st.data(), periods=period_histories(), profile=profiles)
def test_a_later_day_is_what_on_predicts_for_it(data, periods, profile):
    on = query_day(periods, data.draw)
    day = on + timedelta(days=data.draw(st.integers(min_value=0, max_value=400)))
    later = current_cycle(periods, on=on, profile=profile, day=day)
    if later is None:
        return
    where = position_on(periods, day, on=on, profile=profile)
    assert (later.day_of_cycle, later.phase, later.is_fertile, later.cycle_length) == (
        where.day_of_cycle,
        where.phase,
        where.is_fertile,
        where.cycle_length,
    )
    nxt = later.next_period
    assert on < nxt.earliest <= nxt.start_date <= nxt.latest
    assert nxt.start_date > day
    if not where.is_predicted_period and where.cycle_start <= on:
        # Still in her current cycle: the very prediction made on `on`.
        assert nxt == current_cycle(periods, on=on, profile=profile).next_period
    # The next period is the first predicted start after `day`.
    assert nxt.start_date == day + timedelta(days=where.days_until_next)
    after = position_on(periods, nxt.start_date, on=on, profile=profile)
    assert after.day_of_cycle == 1 and after.is_predicted_period
    if day == on:
        assert later == current_cycle(periods, on=on, profile=profile)
