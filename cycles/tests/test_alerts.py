"""The cycle alerts (``cycles.engine.alerts``): each threshold fires at it, stays
silent just under it, and regular cycles raise nothing. Plain values, no database."""

import itertools
from datetime import date, timedelta

import pytest

from cycles.engine import LoggedPeriod
from cycles.engine import alerts as rules
from cycles.engine.alerts import cycle_alerts

FIRST = date(2025, 1, 6)


def history(lengths, *, first=FIRST, bleeding=5, bleedings=None):
    """Periods starting ``first`` and then after each of ``lengths`` days; each
    bleeds ``bleeding`` days unless ``bleedings`` gives one length per period."""
    starts = [first, *(first + timedelta(days=d) for d in itertools.accumulate(lengths))]
    bleedings = bleedings or [bleeding] * len(starts)
    return [
        LoggedPeriod(start, start + timedelta(days=n - 1))
        for start, n in zip(starts, bleedings, strict=True)
    ]


def codes(periods, on, **profile):
    return [alert.code for alert in cycle_alerts(periods, on=on, **profile)]


def last_start(periods):
    return periods[-1].start


def test_regular_cycles_over_two_years_raise_nothing():
    periods = history([28] * 26)
    assert codes(periods, last_start(periods) + timedelta(days=10)) == []


def test_ordinary_variation_raises_nothing():
    lengths = [26, 31, 27, 29, 30, 25, 28, 31, 26, 29] * 2
    periods = history(lengths, bleedings=[4, 6, 5, 7] * 5 + [5])
    assert codes(periods, last_start(periods) + timedelta(days=5)) == []


def test_no_periods_raise_nothing():
    assert codes([], date(2026, 3, 1)) == []


# --- Prolonged periods: 10 days or more, twice in 6 months ----------------------------


def test_two_periods_of_ten_days_in_six_months_fire():
    periods = history([28] * 10, bleedings=[5] * 8 + [10, 5, 10])
    on = last_start(periods) + timedelta(days=12)
    alerts = cycle_alerts(periods, on=on)
    assert [a.code for a in alerts] == [rules.PROLONGED_PERIODS]
    # Held since the second long period ended: the day the data showed it.
    assert alerts[0].since == periods[-1].end
    assert "10 days from" in alerts[0].detail


def test_two_periods_of_nine_days_are_silent():
    periods = history([28] * 10, bleedings=[5] * 8 + [9, 5, 9])
    assert codes(periods, last_start(periods) + timedelta(days=12)) == []


def test_one_long_period_in_six_months_is_silent():
    periods = history([28] * 10, bleedings=[10] + [5] * 8 + [5, 10])
    assert codes(periods, last_start(periods) + timedelta(days=12)) == []


def test_a_long_period_still_going_on_does_not_count_yet():
    periods = history([28] * 10, bleedings=[5] * 8 + [10, 5, 10])
    end = periods[-1].end
    assert codes(periods, end - timedelta(days=1)) == []
    assert codes(periods, end) == [rules.PROLONGED_PERIODS]


# --- Irregular cycles: 17 days or more between shortest and longest in 6 months -------


def test_seventeen_days_between_shortest_and_longest_fire():
    periods = history([28] * 8 + [22, 39, 28])
    on = last_start(periods) + timedelta(days=3)
    assert rules.IRREGULAR_CYCLES in codes(periods, on)


def test_sixteen_days_between_shortest_and_longest_are_silent():
    periods = history([28] * 8 + [22, 38, 28])
    on = last_start(periods) + timedelta(days=3)
    assert rules.IRREGULAR_CYCLES not in codes(periods, on)
    assert codes(periods, on) == [rules.LONG_CYCLES]


def test_a_spread_older_than_six_months_is_silent():
    periods = history([22, 39] + [28] * 10)
    assert codes(periods, last_start(periods) + timedelta(days=3)) == []


# --- Infrequent periods: 2 or fewer in 6 months, with 6 months of history -------------


def test_two_periods_in_six_months_fire_after_six_months_of_history():
    periods = history([28] * 8 + [130, 40])
    on = last_start(periods) + timedelta(days=30)  # starts in the window: 2
    alerts = cycle_alerts(periods, on=on)
    assert rules.INFREQUENT_PERIODS in [a.code for a in alerts]
    infrequent = next(a for a in alerts if a.code == rules.INFREQUENT_PERIODS)
    assert "2 periods" in infrequent.detail


def test_three_periods_in_six_months_are_silent():
    periods = history([28] * 8 + [100, 60, 60])
    on = last_start(periods) + timedelta(days=30)  # starts in the window: 3
    assert rules.INFREQUENT_PERIODS not in codes(periods, on)


def test_a_history_shorter_than_six_months_is_never_infrequent():
    periods = history([40, 40])  # first start 80 days before the last
    assert rules.INFREQUENT_PERIODS not in codes(periods, last_start(periods) + timedelta(days=99))
    # The day her history reaches six months, it counts.
    on = periods[0].start + timedelta(days=rules.WINDOW_DAYS)
    assert rules.INFREQUENT_PERIODS in codes(periods, on)


def test_infrequent_since_is_the_day_a_third_start_left_the_window():
    periods = history([28] * 8 + [150])
    on = last_start(periods) + timedelta(days=20)
    alert = next(a for a in cycle_alerts(periods, on=on) if a.code == rules.INFREQUENT_PERIODS)
    # Three starts in the window until the third newest left it.
    assert alert.since == periods[-3].start + timedelta(days=rules.WINDOW_DAYS)


# --- Cycle length: under 21 or over 35 days -------------------------------------------


def test_a_cycle_of_twenty_days_fires_and_twenty_one_is_silent():
    short = history([28] * 8 + [20, 28])
    edge = history([28] * 8 + [21, 28])
    on = last_start(short) + timedelta(days=3)
    assert codes(short, on) == [rules.SHORT_CYCLES]
    assert codes(edge, on) == []


def test_a_cycle_of_thirty_six_days_fires_and_thirty_five_is_silent():
    long = history([28] * 8 + [36, 28])
    edge = history([28] * 8 + [35, 28])
    assert codes(long, last_start(long) + timedelta(days=3)) == [rules.LONG_CYCLES]
    assert codes(edge, last_start(edge) + timedelta(days=3)) == []


def test_a_long_cycle_is_an_alert_from_the_start_that_ends_it():
    periods = history([28] * 8 + [40, 28])
    on = last_start(periods) + timedelta(days=3)
    (alert,) = cycle_alerts(periods, on=on)
    assert alert.since == periods[-2].start  # the start that closed the 40-day cycle
    assert "40 days from" in alert.detail


# --- Spotting, identity, wording ------------------------------------------------------


def test_unusual_bleeding_in_her_profile_fires_from_the_day_given():
    periods = history([28] * 8)
    on = last_start(periods) + timedelta(days=3)
    since = date(2025, 2, 1)
    (alert,) = cycle_alerts(periods, on=on, unusual_bleeding=True, spotting_since=since)
    assert (alert.code, alert.since) == (rules.PERSISTENT_SPOTTING, since)
    assert codes(periods, on, unusual_bleeding=False) == []


def test_an_alert_keeps_its_since_while_it_lasts():
    periods = history([28] * 8 + [40, 28])
    first_seen = cycle_alerts(periods, on=last_start(periods) + timedelta(days=1))
    later = cycle_alerts(periods, on=last_start(periods) + timedelta(days=25))
    assert [(a.code, a.since) for a in first_seen] == [(a.code, a.since) for a in later]


def test_an_alert_ends_when_its_cycle_leaves_the_window():
    periods = history([28] * 8 + [40, 28])
    gone = periods[-3].start + timedelta(days=rules.WINDOW_DAYS)
    assert codes(periods, gone - timedelta(days=1)) == [rules.LONG_CYCLES]
    assert rules.LONG_CYCLES not in codes(periods, gone)  # (she logged nothing since)


@pytest.mark.parametrize(
    ("lengths", "bleedings", "profile"),
    [
        ([28] * 8 + [40, 28], None, {}),
        ([28] * 8 + [18, 28], None, {}),
        ([28] * 8 + [22, 39, 28], None, {}),
        ([28] * 8 + [150], None, {}),
        ([28] * 8, [5] * 7 + [12, 12], {}),
        ([28] * 8, None, {"unusual_bleeding": True}),
    ],
)
def test_every_alert_says_what_was_seen_and_that_it_is_not_a_diagnosis(lengths, bleedings, profile):
    periods = history(lengths, bleedings=bleedings)
    alerts = cycle_alerts(periods, on=last_start(periods) + timedelta(days=20), **profile)
    assert alerts
    for alert in alerts:
        assert alert.code in rules.ALERT_CODES
        assert alert.title
        assert "not a diagnosis" in alert.detail
        assert alert.since <= last_start(periods) + timedelta(days=20)


def test_figo_frequency_bands():
    assert rules.figo_frequency(23.5) == "frequent"
    assert rules.figo_frequency(24) == "normal"
    assert rules.figo_frequency(38) == "normal"
    assert rules.figo_frequency(38.5) == "infrequent"
    assert rules.figo_frequency(None) is None
