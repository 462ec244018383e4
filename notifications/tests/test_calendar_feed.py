"""Her private calendar feed: a URL with no login, text/calendar that parses, her
predicted periods from /current, stable UIDs, rotation that kills the old URL."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from icalendar import Calendar

from cycles.tests.factories import PeriodFactory, ProfileFactory
from notifications.models import CalendarFeed

pytestmark = pytest.mark.django_db
API = "/api/v1"
NOW = "2026-03-16T12:00:00+00:00"
TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def regular(user, last_start):
    ProfileFactory(user=user, cycle_length=28, luteal_length=14, menses_length=5)
    for cycles_ago in (3, 2, 1, 0):
        start = last_start - timedelta(days=28 * cycles_ago)
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))


def fetch(anon_client, url):
    return anon_client.get(urlsplit(url).path)


def events(response, summary):
    calendar = Calendar.from_ical(response.content)
    return [event for event in calendar.walk("VEVENT") if str(event["SUMMARY"]).startswith(summary)]


def test_the_feed_url_is_absolute_made_once_and_the_same_afterwards(api):
    first = api.get(f"{API}/calendar/feed").json()["url"]
    assert first.startswith("http://testserver/api/v1/calendar/feed/")
    assert api.get(f"{API}/calendar/feed").json()["url"] == first
    assert CalendarFeed.objects.count() == 1
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in CalendarFeed.objects.values_list("token_hash", flat=True)


def test_the_feed_parses_and_its_first_period_is_currents_next_start(api, anon_client, user):
    regular(user, TODAY - timedelta(days=20))
    current = api.get(f"{API}/predictions/current/").json()["next_period"]

    response = fetch(anon_client, api.get(f"{API}/calendar/feed").json()["url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    periods = events(response, "Period")
    assert periods[0]["DTSTART"].dt.isoformat() == current["start_date"]
    assert f"likely between {date.fromisoformat(current['earliest']):%d %b}" in str(
        periods[0]["DESCRIPTION"]
    )
    # Six months ahead: six or seven 28-day cycles, all-day, five days long.
    assert 6 <= len(periods) <= 7
    assert all(p["DTEND"].dt - p["DTSTART"].dt == timedelta(days=5) for p in periods)
    assert all(p["DTSTART"].dt <= TODAY + timedelta(days=183) for p in periods)
    assert len(events(response, "Fertile window")) >= 6


def test_uids_stay_with_their_cycle_when_she_logs_a_period(api, anon_client, user):
    regular(user, TODAY - timedelta(days=27))  # her next period is due tomorrow
    url = api.get(f"{API}/calendar/feed").json()["url"]
    before = [(str(p["UID"]), p["DTSTART"].dt) for p in events(fetch(anon_client, url), "Period")]
    assert before[0][1] == TODAY + timedelta(days=1)
    assert before == [
        (str(p["UID"]), p["DTSTART"].dt) for p in events(fetch(anon_client, url), "Period")
    ]  # the same feed twice: the same UIDs

    with time_machine.travel("2026-03-18T12:00:00+00:00", tick=False):
        PeriodFactory(user=user, start_date=date(2026, 3, 18), end_date=None)
        after = dict(
            (str(p["UID"]), p["DTSTART"].dt) for p in events(fetch(anon_client, url), "Period")
        )

    # The period she logged leaves the feed; each later cycle keeps its UID (its
    # event moves with her new start instead of being duplicated).
    assert before[0][0] not in after
    for uid, start in before[1:]:
        if uid in after:
            assert abs((after[uid] - start).days) <= 2
    assert sum(uid in after for uid, _ in before[1:]) >= len(before) - 2


def test_rotation_gives_a_new_url_and_the_old_one_answers_404(api, anon_client, user):
    regular(user, TODAY - timedelta(days=20))
    old = api.get(f"{API}/calendar/feed").json()["url"]
    new = api.post(f"{API}/calendar/feed/rotate").json()["url"]

    assert new != old
    assert fetch(anon_client, old).status_code == 404
    assert fetch(anon_client, new).status_code == 200
    assert api.get(f"{API}/calendar/feed").json()["url"] == new


def test_a_made_up_token_is_a_404(anon_client):
    assert anon_client.get(f"{API}/calendar/feed/not-a-token.ics").status_code == 404


def test_the_feed_shows_nothing_of_another_user(api, other_api, anon_client, user, other_user):
    regular(user, TODAY - timedelta(days=20))
    regular(other_user, TODAY - timedelta(days=5))
    hers = fetch(anon_client, api.get(f"{API}/calendar/feed").json()["url"])
    theirs = fetch(anon_client, other_api.get(f"{API}/calendar/feed").json()["url"])

    her_uids = {str(e["UID"]) for e in events(hers, "")}
    their_uids = {str(e["UID"]) for e in events(theirs, "")}
    assert her_uids and their_uids and not her_uids & their_uids
    her_starts = {e["DTSTART"].dt for e in events(hers, "Period")}
    their_starts = {e["DTSTART"].dt for e in events(theirs, "Period")}
    assert not her_starts & their_starts
    assert other_user.email.encode() not in hers.content


def test_the_feed_is_throttled_per_client(api, anon_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "calendar_feed": "2/hour",
        },
    }
    from rest_framework.settings import api_settings

    from notifications.views import FeedRateThrottle

    original = FeedRateThrottle.THROTTLE_RATES  # read by DRF when the class was made
    FeedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        url = api.get(f"{API}/calendar/feed").json()["url"]
        statuses = [fetch(anon_client, url).status_code for _ in range(3)]
    finally:
        FeedRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 429]


def test_without_a_period_the_feed_is_an_empty_calendar(api, anon_client):
    response = fetch(anon_client, api.get(f"{API}/calendar/feed").json()["url"])
    assert response.status_code == 200
    assert events(response, "") == []
