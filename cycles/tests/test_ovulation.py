"""Ovulation detected from her signs (cycles.engine.ovulation), without a database."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cycles.engine import SIGNS, DailySigns, OvulationDetection, detect_ovulation

START = date(2024, 3, 1)  # her current cycle starts here: day index 0
LOW, HIGH = 36.40, 36.70
FAST = settings(max_examples=80, deadline=None)


def day(n: int) -> date:
    return START + timedelta(days=n)


def detect(signs, on: int, cycle_start: int = 0) -> OvulationDetection | None:
    return detect_ovulation(signs, cycle_start=day(cycle_start), on=day(on))


def temperatures(readings: dict[int, float]) -> list[DailySigns]:
    return [DailySigns(day(n), bbt_celsius=t) for n, t in readings.items()]


def lh(*positives: int, negatives: tuple[int, ...] = ()) -> list[DailySigns]:
    return [DailySigns(day(n), lh_test="positive") for n in positives] + [
        DailySigns(day(n), lh_test="negative") for n in negatives
    ]


def mucus(observations: dict[int, str]) -> list[DailySigns]:
    return [DailySigns(day(n), cervical_mucus=m) for n, m in observations.items()]


def merged(*groups: list[DailySigns]) -> list[DailySigns]:
    """One entry a day, as /signs/ stores them: the groups' fields on the same date merged."""
    by_date: dict[date, dict] = {}
    for group in groups:
        for signs in group:
            fields = by_date.setdefault(signs.date, {})
            for name in ("bbt_celsius", "lh_test", "cervical_mucus"):
                if getattr(signs, name) is not None:
                    fields[name] = getattr(signs, name)
    return [DailySigns(d, **fields) for d, fields in by_date.items()]


def shift(last_low: int, *, highs=(HIGH, HIGH, HIGH), first: int = 0) -> dict[int, float]:
    """Low readings from `first` to `last_low`, then the `highs` on the days after it."""
    readings = {n: LOW for n in range(first, last_low + 1)}
    readings.update({last_low + 1 + k: t for k, t in enumerate(highs)})
    return readings


# --- LH -------------------------------------------------------------------------------


def test_a_positive_lh_test_places_ovulation_the_next_day():
    found = detect(lh(13, negatives=(11, 12, 14)), on=15)
    assert found == OvulationDetection(day(14), ("lh",), "probable", lh=day(14))


def test_the_day_before_the_positive_lh_nothing_is_detected():
    assert detect(lh(13, negatives=(11, 12)), on=12) is None


def test_a_positive_on_the_day_asked_expects_ovulation_tomorrow():
    assert detect(lh(13, negatives=(12,)), on=13).date == day(14)


def test_the_last_positive_of_a_surge_counts():
    assert detect(lh(12, 13, 14, negatives=(11, 15)), on=16).date == day(15)


def test_a_surge_with_a_day_untested_in_it_ends_at_its_last_positive():
    assert detect(lh(12, 14, negatives=(15,)), on=16).date == day(15)


def test_a_later_surge_supersedes_an_earlier_one():
    signs = lh(8, 17, negatives=(9, 10, 11, 16, 18))
    assert detect(signs, on=19).date == day(18)


def test_a_second_positive_logged_the_next_day_moves_ovulation_on():
    signs = lh(13, 14)
    assert detect(signs, on=13).date == day(14)
    assert detect(signs, on=14).date == day(15)


def test_negative_tests_alone_detect_nothing():
    assert detect(lh(negatives=tuple(range(8, 20))), on=20) is None


# --- Temperature (Sensiplan) -----------------------------------------------------------


def test_three_high_readings_the_third_0_2_above_the_cover_line_place_the_last_low_day():
    found = detect(temperatures(shift(13)), on=16)
    assert found == OvulationDetection(day(13), ("bbt",), "confirmed", bbt=day(13))


def test_the_shift_is_not_confirmed_before_its_third_high_reading_is_logged():
    signs = temperatures(shift(13))
    assert detect(signs, on=15) is None
    assert detect(signs, on=16).date == day(13)


def test_the_cover_line_is_the_highest_of_the_six_readings_before():
    readings = shift(13)
    readings[9] = 36.55  # one of the six before day 14: the line is 36.55
    assert detect(temperatures(readings), on=16) is None  # 36.70 is only 0.15 above it
    readings[17] = 36.60  # a fourth reading above the line: the exception confirms
    assert detect(temperatures(readings), on=17).date == day(13)


def test_a_third_reading_less_than_0_2_above_needs_a_fourth_above_the_line():
    readings = shift(13, highs=(36.70, 36.65, 36.55))
    assert detect(temperatures(readings), on=16) is None
    readings[17] = 36.41
    assert detect(temperatures(readings), on=17).date == day(13)


def test_a_fourth_reading_on_the_cover_line_does_not_confirm_the_exception():
    readings = shift(13, highs=(36.70, 36.65, 36.55, 36.40))
    assert detect(temperatures(readings), on=20) is None


def test_a_high_reading_falling_back_to_the_line_ends_the_shift():
    # Sensiplan's second exception (one reading allowed back on the line) is not applied.
    readings = shift(13, highs=(36.70, 36.40, 36.70, 36.70))
    assert detect(temperatures(readings), on=20) is None


def test_the_first_high_reading_must_be_above_all_six_before_it():
    readings = shift(13, highs=(36.40, 36.70, 36.70, 36.70))
    assert detect(temperatures(readings), on=20).date == day(14)


def test_fewer_than_six_readings_before_a_rise_confirm_nothing():
    readings = shift(13, first=9)  # five low readings
    assert detect(temperatures(readings), on=20) is None
    readings[8] = LOW
    assert detect(temperatures(readings), on=20).date == day(13)


def test_up_to_three_missing_days_among_the_six_low_readings_are_skipped():
    readings = shift(13)
    for missing in (9, 11, 12):
        del readings[missing]
    assert detect(temperatures(readings), on=16).date == day(13)


def test_six_low_readings_spread_over_more_than_nine_days_do_not_count():
    readings = shift(13, first=4)
    for missing in (6, 8, 10, 12):  # the six before day 14 now span days 4 to 13
        del readings[missing]
    assert detect(temperatures(readings), on=16) is None


def test_one_missing_day_between_high_readings_is_skipped():
    readings = {**shift(13, highs=()), 14: HIGH, 16: HIGH, 17: HIGH}
    assert detect(temperatures(readings), on=17).date == day(13)


def test_two_missing_days_between_high_readings_break_the_shift():
    readings = {**shift(13, highs=()), 14: HIGH, 17: HIGH, 18: HIGH}
    assert detect(temperatures(readings), on=18) is None


def test_a_missing_day_before_the_first_high_reading_is_the_last_low_day():
    readings = shift(13)
    del readings[13]
    assert detect(temperatures(readings), on=16).date == day(13)


def test_the_first_confirmed_shift_counts_when_temperature_is_the_only_sign():
    readings = shift(10, highs=(36.70,) * 4)
    readings.update({n: 37.0 for n in range(15, 20)})  # a second rise above the six before
    assert detect(temperatures(readings), on=20).date == day(10)


def test_a_flat_temperature_detects_nothing():
    assert detect(temperatures({n: LOW for n in range(28)}), on=27) is None


def test_temperatures_stored_as_decimals_read_the_same():
    readings = {n: Decimal(str(t)) for n, t in shift(13).items()}
    assert detect(temperatures(readings), on=16).date == day(13)


def test_a_temperature_that_is_not_a_number_reads_as_not_logged():
    readings = shift(13)
    readings[12] = float("nan")
    readings[11] = float("inf")
    assert detect(temperatures(readings), on=16).date == day(13)


# --- Cervical mucus (peak day) ----------------------------------------------------------


def test_the_last_eggwhite_day_before_three_drier_days_is_the_peak():
    signs = mucus({10: "creamy", 11: "watery", 12: "eggwhite", 13: "eggwhite"})
    signs += mucus({14: "sticky", 15: "dry", 16: "dry"})
    found = detect(signs, on=16)
    assert found == OvulationDetection(day(13), ("mucus",), "probable", mucus=day(13))


def test_the_peak_is_not_confirmed_before_the_third_drier_day():
    signs = mucus({12: "eggwhite", 13: "creamy", 14: "dry", 15: "dry"})
    assert detect(signs, on=14) is None
    assert detect(signs, on=15).date == day(12)


def test_watery_mucus_is_fertile_quality_too():
    assert detect(mucus({12: "watery", 13: "creamy", 14: "dry", 15: "dry"}), on=15).date == day(12)


def test_a_day_without_an_observation_among_the_drier_days_is_allowed():
    assert detect(mucus({12: "eggwhite", 13: "dry", 15: "dry", 16: "dry"}), on=16).date == day(12)


def test_drier_days_long_after_the_peak_do_not_confirm_it():
    assert detect(mucus({12: "eggwhite", 13: "dry", 16: "dry", 18: "dry"}), on=18) is None


def test_fertile_mucus_returning_unconfirms_the_earlier_peak_until_the_new_one_is_confirmed():
    signs = mucus({10: "eggwhite", 11: "dry", 12: "dry", 13: "dry", 14: "watery"})
    assert detect(signs, on=13).date == day(10)
    assert detect(signs, on=14) is None
    signs += mucus({15: "sticky", 16: "creamy", 17: "dry"})
    assert detect(signs, on=17).date == day(14)


def test_mucus_words_outside_the_contract_read_as_not_logged():
    signs = mucus({12: "eggwhite", 13: "dry", 14: "spotting", 15: "dry", 16: "dry"})
    assert detect(signs, on=16).date == day(12)
    assert detect(mucus({12: "EGGWHITE", 13: "dry", 14: "dry", 15: "dry"}), on=15) is None


# --- How the signs combine ----------------------------------------------------------------


def test_lh_and_a_temperature_shift_that_agree_are_confirmed_on_the_lh_date():
    signs = merged(lh(12, negatives=(11, 13)), temperatures(shift(14)))
    found = detect(signs, on=17)
    assert found == OvulationDetection(day(13), ("lh", "bbt"), "confirmed", lh=day(13), bbt=day(14))


def test_all_three_signs_agreeing_are_listed():
    signs = merged(
        lh(12),
        temperatures(shift(13)),
        mucus({12: "eggwhite", 13: "eggwhite", 14: "dry", 15: "dry", 16: "dry"}),
    )
    found = detect(signs, on=16)
    assert (found.date, found.signs, found.confidence) == (day(13), SIGNS, "confirmed")


def test_a_shift_more_than_two_days_after_the_surge_wins():
    # A surge that came to nothing, ovulation later: the shift shows when.
    signs = merged(lh(8, negatives=(7, 9)), temperatures(shift(15)))
    found = detect(signs, on=18)
    assert (found.date, found.signs, found.confidence) == (day(15), ("bbt",), "confirmed")
    assert found.lh == day(9)


def test_a_shift_more_than_two_days_before_the_surge_is_taken_as_noise():
    signs = merged(lh(15, negatives=(14, 16)), temperatures(shift(9, highs=(36.70,) * 4)))
    found = detect(signs, on=17)
    assert (found.date, found.signs, found.confidence) == (day(16), ("lh",), "probable")
    assert found.bbt == day(9)


def test_a_later_shift_agreeing_with_the_surge_beats_an_earlier_one():
    readings = shift(7, highs=(36.55,) * 4)  # a small, early "shift"
    readings.update({n: 36.50 for n in range(12, 16)})
    readings.update({n: 36.85 for n in range(16, 20)})  # the real rise after day 15
    signs = merged(lh(14, negatives=(13, 15)), temperatures(readings))
    found = detect(signs, on=19)
    assert found == OvulationDetection(day(15), ("lh", "bbt"), "confirmed", lh=day(15), bbt=day(15))


def test_lh_wins_over_mucus_that_disagrees():
    signs = merged(lh(14), mucus({9: "eggwhite", 10: "dry", 11: "dry", 12: "dry"}))
    found = detect(signs, on=16)
    assert (found.date, found.signs, found.mucus) == (day(15), ("lh",), day(9))


def test_lh_and_mucus_agreeing_without_a_shift_are_probable():
    signs = merged(lh(13), mucus({13: "eggwhite", 14: "dry", 15: "dry", 16: "dry"}))
    found = detect(signs, on=16)
    assert (found.date, found.signs, found.confidence) == (day(14), ("lh", "mucus"), "probable")


def test_nothing_logged_detects_nothing():
    assert detect([], on=20) is None
    assert detect([DailySigns(day(n)) for n in range(20)], on=20) is None


# --- The current cycle, as of the day asked ----------------------------------------------


def test_signs_logged_after_the_day_asked_are_ignored():
    signs = merged(lh(13), temperatures(shift(13)))
    assert detect(signs, on=12) is None


def test_signs_of_the_previous_cycle_are_ignored():
    signs = merged(lh(3), temperatures(shift(13)))
    assert detect(signs, on=16, cycle_start=5).date == day(13)
    assert detect(lh(3), on=16, cycle_start=5) is None


def test_a_day_asked_before_the_cycle_start_detects_nothing():
    assert detect(lh(3), on=4, cycle_start=5) is None


def test_a_date_given_twice_keeps_its_last_entry():
    signs = [*lh(13), DailySigns(day(13), lh_test="negative")]
    assert detect(signs, on=15) is None


# --- Properties ----------------------------------------------------------------------------

sign_days = st.builds(
    DailySigns,
    date=st.integers(min_value=-10, max_value=45).map(day),
    bbt_celsius=st.none() | st.floats(min_value=35.5, max_value=37.5).map(lambda t: round(t, 2)),
    lh_test=st.sampled_from([None, "negative", "positive"]),
    cervical_mucus=st.sampled_from([None, "dry", "sticky", "creamy", "watery", "eggwhite"]),
)


def unique_days(signs: list[DailySigns]) -> list[DailySigns]:
    return list({s.date: s for s in signs}.values())


@FAST
@given(
    signs=st.lists(sign_days, max_size=40).map(unique_days),
    later=st.lists(sign_days, max_size=15),
    on=st.integers(min_value=0, max_value=40),
)
def test_signs_logged_after_the_day_asked_never_change_the_answer(signs, later, on):
    past = [s for s in signs if s.date <= day(on)]
    future = [s for s in later if s.date > day(on)]
    assert detect(past + future, on=on) == detect(past, on=on)


@FAST
@given(data=st.data(), signs=st.lists(sign_days, max_size=40).map(unique_days))
def test_the_answer_does_not_depend_on_the_order_signs_are_given(data, signs):
    shuffled = data.draw(st.permutations(signs))
    assert detect(shuffled, on=30) == detect(signs, on=30)


@FAST
@given(
    signs=st.lists(sign_days, max_size=50).map(unique_days),
    on=st.integers(min_value=0, max_value=40),
)
def test_a_detection_is_in_the_cycle_and_says_consistently_how_it_is_known(signs, on):
    found = detect(signs, on=on)
    if found is None:
        return
    assert day(0) <= found.date <= day(on + 1)
    assert found.signs and found.signs == tuple(s for s in SIGNS if s in found.signs)
    assert found.confidence == ("confirmed" if "bbt" in found.signs else "probable")
    placed = {"lh": found.lh, "bbt": found.bbt, "mucus": found.mucus}
    assert any(placed[sign] == found.date for sign in found.signs)
    for sign in found.signs:
        assert abs((placed[sign] - found.date).days) <= 2


def simulated_cycle(
    rng: random.Random,
    ovulation: int,
    *,
    rise: float = 0.3,
    noise: float = 0.07,
    lh_positive: bool = True,
    length: int = 35,
) -> list[DailySigns]:
    """Baseline 36.4 °C with noise, `rise` after the ovulation day, LH positive the day before."""
    return [
        DailySigns(
            day(n),
            bbt_celsius=round(36.4 + rng.gauss(0, noise) + (rise if n > ovulation else 0), 2),
            lh_test="positive" if lh_positive and n == ovulation - 1 else None,
        )
        for n in range(length)
    ]


@FAST
@given(
    ovulation=st.integers(min_value=9, max_value=24),
    asked_after=st.integers(min_value=1, max_value=10),
    lh_positive=st.booleans(),
)
def test_a_clean_simulated_cycle_is_detected_on_its_ovulation_day(
    ovulation, asked_after, lh_positive
):
    signs = simulated_cycle(random.Random(0), ovulation, noise=0, lh_positive=lh_positive)
    found = detect(signs, on=ovulation + asked_after)
    if lh_positive or asked_after >= 3:  # the third high reading is on ovulation + 3
        assert found.date == day(ovulation)
    else:
        assert found is None


@FAST
@given(temps=st.lists(st.integers(min_value=0, max_value=150), min_size=1, max_size=40))
def test_a_temperature_that_never_rises_detects_nothing(temps):
    falling = [36.0 + min(temps[: k + 1]) / 100 for k in range(len(temps))]
    assert detect(temperatures(dict(enumerate(falling))), on=45) is None


def detection_rates(*, asked_after: int, lh_positive: bool, rise: float = 0.3, cycles=1000):
    """(share detected, share within a day of the true ovulation) over simulated cycles."""
    rng = random.Random(14)
    detected = close = 0
    for _ in range(cycles):
        ovulation = rng.randint(10, 20)
        signs = simulated_cycle(rng, ovulation, rise=rise, lh_positive=lh_positive)
        found = detect(signs, on=ovulation + asked_after)
        detected += found is not None
        close += found is not None and abs((found.date - day(ovulation)).days) <= 1
    return detected / cycles, close / cycles


@pytest.mark.parametrize("asked_after", [1, 2, 5, 10])
def test_with_lh_the_day_before_ovulation_is_found_within_a_day_in_95_percent(asked_after):
    _, close = detection_rates(asked_after=asked_after, lh_positive=True)
    assert close >= 0.95


@pytest.mark.parametrize("asked_after", [4, 10])
def test_with_temperatures_alone_ovulation_is_found_within_a_day_in_most_cycles(asked_after):
    detected, close = detection_rates(asked_after=asked_after, lh_positive=False)
    assert detected >= 0.95
    assert close >= 0.88


def test_noisy_cycles_without_a_rise_rarely_fake_a_shift():
    detected, _ = detection_rates(asked_after=14, lh_positive=False, rise=0.0)
    assert detected <= 0.10
