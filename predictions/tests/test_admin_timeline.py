"""Her page in the admin (issue 16, item 4): the account form with her timeline
(periods logged and predicted, fertile and ovulation days, energy logged and
predicted, temperatures, LH and mucus), profile, model status, what the app
showed her and links to her rows; opening it is in her activity log."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.models import ActivityEvent
from accounts.tests.factories import UserFactory
from moods.tests.factories import DailyMoodFactory
from predictions import timeline, training
from predictions.models import PredictionRecord
from signs.models import Sign

from .factories import FROZEN_NOW, TODAY, store_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.fixture
def her(user):
    """Half a year of cycles and logs, a trained model, temperatures and LH tests,
    and today's prediction served to her."""
    with time_machine.travel(FROZEN_NOW, tick=False):
        store_history(user)
        assert training.retrain(user).status == "trained"
        for offset in range(1, 40):
            Sign.objects.create(
                user=user,
                date=TODAY - timedelta(days=offset),
                bbt_celsius=Decimal("36.30") + Decimal(offset % 5) / 10,
                lh_test="positive" if offset == 12 else None,
                cervical_mucus="eggwhite" if offset == 13 else None,
            )
        DailyMoodFactory(user=user, date=TODAY, energy_level=1, notes="a private note")
        yield user


def page(client, user):
    with time_machine.travel(FROZEN_NOW, tick=False):
        return client.get(reverse("admin:accounts_user_change", args=[user.pk]))


def test_her_page_shows_her_timeline_profile_model_history_and_links(staff_client, her):
    PredictionRecord.objects.create(
        user=her,
        date=TODAY - timedelta(days=1),
        predicted_level=2,
        probabilities={"low": 0.1, "medium": 0.2, "high": 0.7},
        source="model",
        model_version=1,
    )
    response = page(staff_client, her)
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r'<svg[^>]*aria-label="Her last six months.*?</svg>', html, re.S).group(0)
    assert "<script" not in svg
    assert "Her last six months" in html and "today 2026-03-15" in svg
    assert "<polyline" in svg  # her temperatures, as a line
    assert svg.count(timeline.PERIOD_LOGGED) > 10  # her logged period days
    assert timeline.PERIOD_PREDICTED in svg and timeline.LH_POSITIVE in svg
    for section in ("Profile", "Energy model", "What the app showed her", "Her rows"):
        assert section in html
    assert "serving <strong>" in html
    assert "Sat 2026-03-14" in html  # the served day, in the history table
    assert "a private note" not in html  # her words stay out of the page
    for url in re.findall(r'href="([^"]+\?user__id__exact=\d+)"', html):
        assert url.endswith(f"={her.pk}")
        with time_machine.travel(FROZEN_NOW, tick=False):
            assert staff_client.get(url.replace("&amp;", "&")).status_code == 200, url
    links = re.findall(r'href="/admin/(\w+)/(\w+)/\?user__id__exact=', html)
    assert {("cycles", "period"), ("moods", "dailymood"), ("signs", "sign")} <= set(links)
    assert ("predictions", "predictionrecord") in links


def test_opening_her_page_is_recorded_in_her_activity_log(staff_client, her):
    assert page(staff_client, her).status_code == 200
    [event] = ActivityEvent.objects.filter(user=her, event="staff_viewed_health_data")
    assert "staff@planher.test" in event.detail


def test_drawing_her_timeline_records_no_prediction_she_was_not_shown(staff_client, user):
    with time_machine.travel(FROZEN_NOW, tick=False):
        store_history(user)
    assert page(staff_client, user).status_code == 200
    assert not PredictionRecord.objects.filter(user=user).exists()


def test_a_newcomer_without_data_has_a_page_too(staff_client, user):
    response = page(staff_client, user)
    assert response.status_code == 200
    assert b"no temperature logged" in response.content
    assert b"No profile yet" in response.content


def test_the_timeline_lists_every_day_from_six_months_ago_to_a_month_ahead(her):
    with time_machine.travel(FROZEN_NOW, tick=False):
        days = timeline.timeline_days(user=her)
    assert days[0].date == TODAY - timedelta(days=timeline.PAST_DAYS)
    assert days[-1].date == TODAY + timedelta(days=timeline.FUTURE_DAYS)
    today = next(day for day in days if day.date == TODAY)
    assert today.logged == 1 and today.predicted is None  # logged before anything was served
    ahead = [day for day in days if day.date > TODAY]
    assert all(day.predicted is not None and not day.served for day in ahead)
    assert any(day.period == "predicted" for day in ahead)


def test_a_demo_user_is_marked_and_filtered_in_the_user_list(staff_client, user):
    UserFactory(email="demo9@planher.test", is_demo=True)
    response = staff_client.get(reverse("admin:accounts_user_changelist"), {"is_demo__exact": 1})
    assert response.status_code == 200
    assert b"demo9@planher.test" in response.content
    assert user.email.encode() not in response.content
