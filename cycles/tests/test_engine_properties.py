"""Properties of the cycle engine that hold for any valid history (hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cycles.engine import (
    PHASES,
    CycleProfile,
    Period,
    current_cycle,
    cycle_stats,
    position_on,
    positions,
    predict_next_period,
)

FAST = settings(max_examples=60, deadline=None)


@st.composite
def period_histories(draw) -> list[Period]:
    """Valid periods as the API stores them: non-overlapping, end >= start, <= 15 days."""
    start = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)))
    periods = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        length = draw(st.none() | st.integers(min_value=1, max_value=15))
        periods.append(Period(start, None if length is None else start + timedelta(length - 1)))
        # the next period starts after this one ends (or could have ended, if ongoing)
        start += timedelta(days=draw(st.integers(min_value=(length or 1), max_value=120)))
    return draw(st.permutations(periods))  # the engine must not rely on the order


profiles = st.none() | st.builds(
    CycleProfile,
    cycle_length=st.none() | st.integers(min_value=15, max_value=90),
    luteal_length=st.none() | st.integers(min_value=5, max_value=25),
    menses_length=st.none() | st.integers(min_value=1, max_value=15),
)


def query_day(periods: list[Period], draw) -> date:
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
    assert on <= prediction.earliest <= prediction.start_date <= prediction.latest
    assert prediction.cycle_length == (prediction.start_date - last).days >= 1
    assert prediction.interval == 0.8
    assert (prediction.days_late > 0) == (on > prediction.expected_start)
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
        assert now.next_period.start_date >= on
    stats = cycle_stats(periods)
    assert stats.period_count == len(periods)
    assert stats.cycle_count == max(0, len(periods) - 1) == len(stats.cycle_lengths)
    assert stats.regularity in ("regular", "irregular", "insufficient_data")
