"""The admin is for staff only, every changelist loads, and staff edits keep her
rules and queue her retraining as the API's do."""

from datetime import date

import pytest
import time_machine
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from cycles.models import Period
from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions import training
from predictions.models import EnergyModel
from predictions.tests.factories import trainable_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(email="staff@planher.test", is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


@pytest.fixture
def some_data(user):
    ProfileFactory(user=user)
    PeriodFactory(user=user)
    DailyMoodFactory(user=user, notes="private words")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_loads(staff_client, some_data, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert staff_client.get(url).status_code == 200


def test_mood_notes_stay_out_of_the_changelist(staff_client, some_data):
    response = staff_client.get(reverse("admin:moods_dailymood_changelist"))
    assert b"private words" not in response.content


def test_a_user_without_staff_status_cannot_enter(client, user):
    client.login(request=HttpRequest(), email=user.email, password=PASSWORD)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_log_in_with_their_email(client):
    UserFactory(email="staff@planher.test", is_staff=True)
    # django-axes needs the request to count the attempt (no request: refused).
    assert client.login(request=HttpRequest(), email="STAFF@planher.test", password=PASSWORD)


def test_the_user_admin_creates_a_user_by_email(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new@planher.test",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]


# --- Her rules and her retraining hold for staff edits too ------------------------------


@pytest.fixture
def frozen_today():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


def form_errors(response) -> str:
    """The errors the admin shows on the page it renders again (status 200)."""
    assert response.status_code == 200, response.get("Location")
    errors = [str(response.context["adminform"].form.errors)]
    return " ".join(errors)


def test_the_admin_refuses_a_period_that_overlaps_another_of_hers(staff_client, user, frozen_today):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    response = staff_client.post(
        reverse("admin:cycles_period_add"),
        {"user": user.pk, "start_date": "2026-03-04", "end_date": "2026-03-08"},
    )
    assert "These dates overlap your period from 2026-03-01 to 2026-03-05." in form_errors(response)
    assert Period.objects.count() == 1


def test_the_admin_refuses_a_future_period(staff_client, user, frozen_today):
    response = staff_client.post(
        reverse("admin:cycles_period_add"), {"user": user.pk, "start_date": "2026-03-16"}
    )
    assert "This date is in the future: today is 2026-03-15" in form_errors(response)
    assert not Period.objects.exists()


def test_the_admin_refuses_to_move_a_period_into_the_future(staff_client, user, frozen_today):
    period = PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 5))
    response = staff_client.post(
        reverse("admin:cycles_period_change", args=[period.pk]),
        {"start_date": "2026-03-14", "end_date": "2026-03-18"},
    )
    assert "This date is in the future" in form_errors(response)
    period.refresh_from_db()
    assert period.end_date == date(2026, 3, 5)


def test_the_admin_refuses_a_future_mood(staff_client, user, frozen_today):
    response = staff_client.post(
        reverse("admin:moods_dailymood_add"),
        {"user": user.pk, "date": "2026-03-16", "energy_level": 2},
    )
    assert "This date is in the future: today is 2026-03-15" in form_errors(response)
    assert not DailyMood.objects.exists()


def test_the_admin_still_saves_a_valid_period(staff_client, user, frozen_today):
    response = staff_client.post(
        reverse("admin:cycles_period_add"),
        {"user": user.pk, "start_date": "2026-03-10", "end_date": "2026-03-14"},
    )
    assert response.status_code == 302
    assert Period.objects.get().user == user


@pytest.fixture
def her_model_trained(user, frozen_today):
    """She has enough logs and a trained model that nothing has queued yet."""
    trainable_user(user)
    training.energy_model_retrain(user=user)
    assert EnergyModel.objects.get(user=user).training_queued_at is None


def queued(user) -> bool:
    return EnergyModel.objects.get(user=user).training_queued_at is not None


def test_an_admin_change_of_her_mood_queues_her_retraining(
    staff_client, user, her_model_trained, django_capture_on_commit_callbacks
):
    mood = DailyMood.objects.filter(user=user).earliest("date")
    version = user.data_version
    with django_capture_on_commit_callbacks() as after_commit:
        response = staff_client.post(
            reverse("admin:moods_dailymood_change", args=[mood.pk]),
            {"date": mood.date.isoformat(), "energy_level": (mood.energy_level + 1) % 3},
        )
    assert response.status_code == 302, form_errors(response)
    assert queued(user)
    assert after_commit  # the training task, sent once the change commits
    user.refresh_from_db()
    assert user.data_version > version  # her cached answers expired


def test_an_admin_addition_of_a_period_queues_her_retraining(staff_client, user, her_model_trained):
    response = staff_client.post(
        reverse("admin:cycles_period_add"),
        {"user": user.pk, "start_date": "2026-03-10", "end_date": "2026-03-12"},
    )
    assert response.status_code == 302, form_errors(response)
    assert queued(user)


def test_an_admin_deletion_of_a_period_queues_her_retraining(staff_client, user, her_model_trained):
    period = Period.objects.filter(user=user).latest("start_date")
    response = staff_client.post(
        reverse("admin:cycles_period_delete", args=[period.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Period.objects.filter(pk=period.pk).exists()
    assert queued(user)


def test_deleting_her_moods_in_bulk_from_the_admin_queues_her_retraining(
    staff_client, user, other_user, her_model_trained
):
    stranger_mood = DailyMoodFactory(user=other_user, date=date(2026, 3, 1))
    moods = list(DailyMood.objects.filter(user=user).values_list("pk", flat=True)[:3])
    response = staff_client.post(
        reverse("admin:moods_dailymood_changelist"),
        {"action": "delete_selected", "_selected_action": moods, "post": "yes"},
    )
    assert response.status_code == 302
    assert not DailyMood.objects.filter(pk__in=moods).exists()
    assert queued(user)
    assert DailyMood.objects.filter(pk=stranger_mood.pk).exists()


def test_an_admin_change_of_her_profile_queues_her_retraining(
    staff_client, user, her_model_trained
):
    profile = user.profile
    response = staff_client.post(
        reverse("admin:cycles_profile_change", args=[profile.pk]),
        {
            "height_cm": 170,
            "weight_kg": "64.00",
            "cycle_length": 29,
            "luteal_length": 14,
            "menses_length": 5,
            "number_of_peak": 2,
        },
    )
    assert response.status_code == 302, form_errors(response)
    assert queued(user)


def test_staff_cannot_move_her_rows_to_another_account(staff_client, user, other_user):
    period = PeriodFactory(user=user)
    staff_client.post(
        reverse("admin:cycles_period_change", args=[period.pk]),
        {"user": other_user.pk, "start_date": period.start_date, "end_date": period.end_date},
    )
    period.refresh_from_db()
    assert period.user == user


def test_every_admin_of_her_data_announces_its_changes():
    """``planher.E002`` fails `manage.py check` for an admin that would not."""
    from core.checks import user_data_admins_announce_changes

    assert user_data_admins_announce_changes(None) == []
    registered = admin.site._registry[Period]
    admin.site._registry[Period] = admin.ModelAdmin(Period, admin.site)
    try:
        [error] = user_data_admins_announce_changes(None)
    finally:
        admin.site._registry[Period] = registered
    assert error.id == "planher.E002"
    assert "cycles.Period" in error.msg
