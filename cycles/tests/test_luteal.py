"""Detected ovulation makes the next period sharper (cycles.engine.luteal and the
timeline's use of it), without a database."""

from datetime import date, timedelta

import pytest

from core.vocabulary import LUTEAL, METHOD_OVULATION, OVULATORY
from cycles import engine
from cycles.engine import CycleProfile, DailySigns, LoggedPeriod

# Four 28-day cycles, the current one started on 2026-02-28.
STARTS = [date(2025, 12, 6), date(2026, 1, 3), date(2026, 1, 31), date(2026, 2, 28)]
PERIODS = [LoggedPeriod(s, s + timedelta(days=4)) for s in STARTS]
CURRENT = STARTS[-1]


def days(n: int) -> timedelta:
    return timedelta(days=n)


def lh_positive(day: date) -> DailySigns:
    return DailySigns(day, lh_test="positive")


def her_signs(luteal: int, current_ovulation: date | None) -> list[DailySigns]:
    """An LH positive the day before ovulation in every completed cycle, ovulation
    `luteal` days before the next start; and in the current cycle if given."""
    signs = [lh_positive(nxt - days(luteal + 1)) for nxt in STARTS[1:]]
    if current_ovulation is not None:
        signs.append(lh_positive(current_ovulation - days(1)))
    return signs


def test_her_luteal_length_is_her_mean_shrunk_toward_the_population_with_weight_one():
    assert engine.estimate_luteal([]).centre == pytest.approx(12.4)
    assert engine.estimate_luteal([11, 11, 11]).centre == pytest.approx((33 + 12.4) / 4)
    assert not engine.estimate_luteal([]).known


def test_the_profile_luteal_length_stays_the_prior():
    estimate = engine.estimate_luteal([10], profile=CycleProfile(luteal_length=14))
    assert estimate.centre == pytest.approx((10 + 14) / 2)


def test_implausible_luteal_lengths_are_left_out_and_counted():
    estimate = engine.estimate_luteal([31, 12, 2])
    assert (estimate.cycles_used, estimate.cycles_excluded) == (1, 2)


def test_once_ovulation_is_detected_the_next_period_is_ovulation_plus_her_luteal_length():
    ovulation = CURRENT + days(16)  # a late ovulation: the calendar would say day 29
    on = ovulation + days(2)
    cycle = engine.current_cycle(PERIODS, on=on, signs=her_signs(11, ovulation))
    nxt = cycle.next_period
    # Her three measured luteal lengths of 11 days, shrunk toward 12.4 with weight 1.
    assert nxt.start_date == ovulation + days(11)
    assert nxt.basis.method == METHOD_OVULATION
    assert (nxt.basis.cycles_used, nxt.basis.cycles_excluded) == (3, 0)
    assert on < nxt.earliest <= nxt.start_date <= nxt.latest
    assert cycle.ovulation_date == ovulation
    assert cycle.ovulation.signs == ("lh",)
    assert cycle.luteal_length == 11
    assert (cycle.fertile_window_start, cycle.fertile_window_end) == (
        ovulation - days(5),
        ovulation,
    )


def test_without_signs_the_calendar_answer_is_unchanged():
    on = CURRENT + days(18)
    with_nothing = engine.current_cycle(PERIODS, on=on)
    with_empty = engine.current_cycle(PERIODS, on=on, signs=[])
    assert with_nothing == with_empty
    assert with_nothing.ovulation is None
    assert with_nothing.next_period.basis.method != METHOD_OVULATION


def test_phases_follow_the_detected_ovulation_and_the_window_closes_after_it():
    ovulation = CURRENT + days(19)
    on = ovulation + days(3)
    signs = her_signs(12, ovulation)
    wanted = [CURRENT + days(n) for n in range(0, 30)]
    where = engine.positions(PERIODS, wanted, on=on, signs=signs)
    assert [d for d in wanted if where[d].phase == OVULATORY] == [
        ovulation - days(1),
        ovulation,
        ovulation + days(1),
    ]
    assert [d for d in wanted if where[d].is_fertile and d <= on] == [
        ovulation - days(n) for n in range(5, -1, -1)
    ]
    assert where[ovulation + days(2)].phase == LUTEAL


def test_a_sign_logged_after_the_day_asked_about_changes_nothing():
    ovulation = CURRENT + days(14)
    on = ovulation - days(3)
    before = engine.current_cycle(PERIODS, on=on, signs=her_signs(12, None))
    after = engine.current_cycle(PERIODS, on=on, signs=her_signs(12, ovulation))
    assert before == after
    assert after.ovulation is None


def test_an_lh_positive_today_places_ovulation_tomorrow():
    on = CURRENT + days(13)
    cycle = engine.current_cycle(PERIODS, on=on, signs=[lh_positive(on)])
    assert cycle.ovulation_date == on + days(1)
    assert cycle.next_period.start_date == on + days(1) + days(12)  # 12.4, no history


def test_past_cycles_use_their_detected_ovulation_and_future_cycles_her_luteal_length():
    on = CURRENT + days(5)
    signs = her_signs(10, None)
    where = engine.positions(PERIODS, [STARTS[1] + days(n) for n in range(28)], on=on, signs=signs)
    ovulatory = [d for d, p in where.items() if p.phase == OVULATORY]
    assert ovulatory[1] == STARTS[2] - days(10)
    cycle = engine.current_cycle(PERIODS, on=on, signs=signs)
    # Not detected in this cycle yet: calendar start, her own luteal length before it.
    assert cycle.ovulation is None
    luteal = round((30 + 12.4) / 4)
    assert cycle.ovulation_date == cycle.next_period.expected_start - days(luteal)


def test_late_after_a_detected_ovulation_the_prediction_moves_forward():
    ovulation = CURRENT + days(14)
    on = ovulation + days(20)  # 12 days expected: 8 days late
    cycle = engine.current_cycle(PERIODS, on=on, signs=her_signs(12, ovulation))
    nxt = cycle.next_period
    assert (nxt.status, nxt.days_late) == ("late", 8)
    assert on < nxt.earliest <= nxt.start_date <= nxt.latest
    assert cycle.phase == LUTEAL


def test_current_cycle_and_positions_agree_with_signs():
    ovulation = CURRENT + days(17)
    signs = her_signs(13, ovulation)
    for offset in range(0, 40, 3):
        on = CURRENT + days(offset)
        cycle = engine.current_cycle(PERIODS, on=on, signs=signs)
        where = engine.position_on(PERIODS, on, on=on, signs=signs)
        assert (cycle.day_of_cycle, cycle.phase, cycle.is_fertile) == (
            where.day_of_cycle,
            where.phase,
            where.is_fertile,
        )
        assert where.days_until_next == (cycle.next_period.start_date - on).days


def test_stats_report_her_measured_luteal_length():
    stats = engine.cycle_stats(PERIODS, signs=her_signs(11, None))
    assert (stats.luteal_length, stats.luteal_cycle_count) == (11.0, 3)
    assert engine.cycle_stats(PERIODS).luteal_length is None


def test_a_temperature_shift_the_calendar_contradicts_is_taken_for_noise():
    """A shift alone that would start her period well before the calendar's
    earliest day (noise can fake a shift early in a long cycle) is not trusted."""
    on = CURRENT + days(10)
    early = {CURRENT + days(n): 36.40 for n in range(7)}
    early.update({CURRENT + days(7 + n): 36.75 for n in range(4)})
    signs = [DailySigns(day, bbt_celsius=t) for day, t in early.items() if day <= on]
    cycle = engine.current_cycle(PERIODS, on=on, signs=signs)
    assert cycle.ovulation is None
    assert cycle.next_period.basis.method != METHOD_OVULATION
