"""Two people with data, Alice and Mallory, for the owner/stranger tests.

Every app's ``tests/test_ownership.py`` uses them (the ``two_people`` fixture is
in the root conftest): another user's ids answer like missing ones and change
nothing, and every answer shows only her own rows. ``tests/test_ownership.py``
checks that each model she owns is named by one of those modules.
"""

from datetime import date, timedelta

from django.forms.models import model_to_dict

from cycles.models import Period, Profile
from cycles.tests.factories import PeriodFactory, ProfileFactory
from imports.models import Import
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from notifications.models import CalendarFeed
from notifications.tests.factories import NotificationFactory, PushSubscriptionFactory
from predictions.models import EnergyModel, NextPeriodPrediction, PredictionRecord
from predictions.tests.factories import (
    EnergyModelFactory,
    NextPeriodPredictionFactory,
    PredictionRecordFactory,
)
from signs.models import Sign
from signs.tests.factories import SignFactory

API = "/api/v1"

# Each person's data, with markers that must never show in the other's answers.
PEOPLE = {
    "alice": {
        "notes": "alice-private-notes",
        "period_starts": [date(2026, 8, 31), date(2026, 9, 28), date(2026, 10, 26)],
        "mood_dates": [date(2026, 10, 1) + timedelta(days=n) for n in range(3)],
        "sign_dates": [date(2026, 10, 11), date(2026, 10, 12)],
        "record_date": date(2026, 10, 4),
        "height_cm": 165,
        "model_version": 3,
    },
    "mallory": {
        "notes": "mallory-secret-notes",
        "period_starts": [date(2023, 3, 1), date(2023, 3, 31)],
        "mood_dates": [date(2023, 3, 10) + timedelta(days=n) for n in range(4)],
        "sign_dates": [date(2023, 3, 22), date(2023, 3, 23)],
        "record_date": date(2023, 3, 20),
        "height_cm": 190,
        "model_version": 7,
    },
}
# Each way round: who looks, and whose data must not show.
VIEWERS = [("alice", "mallory"), ("mallory", "alice")]


def give_data(person, spec):
    ProfileFactory(user=person, height_cm=spec["height_cm"], weight_kg="70.00")
    for start in spec["period_starts"]:
        PeriodFactory(user=person, start_date=start, end_date=start + timedelta(days=3))
    for day in spec["mood_dates"]:
        DailyMoodFactory(user=person, date=day, energy_level=2, notes=spec["notes"])
    for day in spec["sign_dates"]:
        SignFactory(user=person, date=day, lh_test="positive", notes=spec["notes"])
    PredictionRecordFactory(user=person, date=spec["record_date"])
    # What /current told her in her first cycle: the day it started, scored by her
    # second start (28 days off for Alice, 30 for Mallory).
    first = spec["period_starts"][0]
    NextPeriodPredictionFactory(user=person, cycle_start=first, predicted_start=first)
    EnergyModelFactory(user=person, version=spec["model_version"], n_samples=40)
    Import.objects.create(
        user=person,
        status="done",
        format="flo",
        filename=f"{spec['notes']}.json",
        errors=[{"record": "cycle 1", "message": spec["notes"]}],
    )
    NotificationFactory(user=person, title="How is your energy today?")
    PushSubscriptionFactory(user=person, endpoint=f"https://push.example.com/{person.pk}")
    feed = CalendarFeed(user=person)
    feed.new_token()
    feed.save()


def markers(person, spec) -> list[str]:
    return [
        person.email,
        spec["notes"],
        *[start.isoformat() for start in spec["period_starts"]],
        *[day.isoformat() for day in spec["mood_dates"]],
        *[day.isoformat() for day in spec["sign_dates"]],
        spec["record_date"].isoformat(),
    ]


def snapshot(person) -> dict:
    """Every row she owns, as plain values: nothing may change under a stranger's hand."""
    person.refresh_from_db()
    return {
        "account": model_to_dict(person),
        "profile": model_to_dict(Profile.objects.get(user=person)),
        "periods": [model_to_dict(p) for p in Period.objects.filter(user=person).order_by("pk")],
        "moods": [model_to_dict(m) for m in DailyMood.objects.filter(user=person).order_by("pk")],
        "signs": [model_to_dict(s) for s in Sign.objects.filter(user=person).order_by("pk")],
        "records": list(PredictionRecord.objects.filter(user=person).values()),
        "model": list(EnergyModel.objects.filter(user=person).values()),
        "imports": list(Import.objects.filter(user=person).values()),
        "next_periods": list(NextPeriodPrediction.objects.filter(user=person).values()),
    }


def assert_another_users_object_is_a_404_like_a_missing_one(
    two_people, api, route, model, body, method
):
    """Alice (``api``) reaches for Mallory's row: the same 404 as for a missing id,
    and nothing of Mallory's changes."""
    mallory = two_people["mallory"]
    theirs = model.objects.filter(user=mallory).first().pk
    missing = model.objects.order_by("-pk").first().pk + 1000
    before = snapshot(mallory)

    answer = getattr(api, method)(f"{API}/{route}/{theirs}/", body)
    control = getattr(api, method)(f"{API}/{route}/{missing}/", body)

    assert answer.status_code == 404
    assert (answer.status_code, answer.json()) == (control.status_code, control.json())
    assert snapshot(mallory) == before


def assert_shows_only_her_own_data(
    two_people, client_for, route, viewer, stranger, *, quotes_her_rows
):
    """``route`` as ``viewer`` shows nothing of ``stranger``'s; an answer that
    quotes her rows (``quotes_her_rows``) does show her own (the control)."""
    response = client_for(two_people[viewer]).get(f"{API}{route}")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    for marker in markers(two_people[stranger], PEOPLE[stranger]):
        assert marker not in text, f"{route} shows {marker!r} of another user"
    if quotes_her_rows:
        assert any(marker in text for marker in markers(two_people[viewer], PEOPLE[viewer]))


def assert_an_owner_in_the_query_string_never_widens_a_list(two_people, api, route, query):
    mallory = two_people["mallory"]
    plain = api.get(f"{API}{route}").json()
    widened = api.get(f"{API}{route}?{query.format(other=mallory.pk)}").json()
    assert widened == plain


OWNER_QUERIES = ["user={other}", "user_id={other}", "owner={other}", "pk={other}"]
