"""Her activity log: what her account did, over real HTTP, and what it never keeps."""

from datetime import timedelta

import pytest
import time_machine
from django.utils.timezone import now
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.activity import Event, record_activity
from accounts.models import ActivityEvent
from accounts.tests.factories import PASSWORD, UserFactory
from cycles.tests.factories import PeriodFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/auth"
STRONG = "a-much-better-passphrase-42"


def events_of(user) -> list[str]:
    return list(
        ActivityEvent.objects.for_user(user).order_by("at", "pk").values_list("event", flat=True)
    )


def test_logout_password_change_and_export_are_in_her_log_newest_first(api, user):
    refresh = str(RefreshToken.for_user(user))
    assert api.post(f"{API}/logout", {"refresh": refresh}).status_code == 205
    assert api.get(f"{API}/me/export").status_code == 200
    changed = api.post(f"{API}/password", {"old_password": PASSWORD, "new_password": STRONG})
    assert changed.status_code == 204
    # The change ended her sessions: she reads her log after logging in again.
    access = api.post(f"{API}/login", {"email": user.email, "password": STRONG}).data["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    answer = api.get(f"{API}/me/activity")

    assert answer.status_code == 200
    assert [event["event"] for event in answer.json()["results"]] == [
        "login",
        "password_changed",
        "export",
        "logout",
    ]
    assert set(answer.json()["results"][0]) == {"at", "event", "ip", "user_agent"}


def test_an_event_keeps_her_address_and_browser_never_a_secret(api, user):
    refresh = str(RefreshToken.for_user(user))
    api.post(
        f"{API}/logout",
        {"refresh": refresh},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox/140",
    )

    event = api.get(f"{API}/me/activity").json()["results"][0]

    assert (event["ip"], event["user_agent"]) == ("203.0.113.9", "Firefox/140")
    stored = ActivityEvent.objects.get(user=user)
    assert refresh not in str(vars(stored)) and PASSWORD not in str(vars(stored))


def test_a_forged_forwarded_for_does_not_put_another_address_in_her_log(api, user):
    refresh = str(RefreshToken.for_user(user))
    api.post(
        f"{API}/logout",
        {"refresh": refresh},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert api.get(f"{API}/me/activity").json()["results"][0]["ip"] == "203.0.113.9"


def test_her_log_is_in_her_export(api, user):
    record_activity(user, Event.LOGOUT)
    export = api.get(f"{API}/me/export").json()
    assert [event["event"] for event in export["activity"]] == ["logout", "export"]


def test_after_she_deletes_her_account_only_an_anonymous_trace_remains(api, user):
    record_activity(user, Event.LOGOUT)
    other = UserFactory(email="someone@example.com")
    record_activity(other, Event.LOGOUT)

    deleted = api.delete(f"{API}/me", {"password": PASSWORD})

    assert deleted.status_code == 204
    trace = ActivityEvent.objects.get(event=Event.ACCOUNT_DELETED)
    assert (trace.user, trace.ip, trace.user_agent, trace.detail) == (None, None, "", "")
    assert ActivityEvent.objects.exclude(pk=trace.pk).filter(user__isnull=True).count() == 0
    assert events_of(other) == ["logout"]


def test_staff_opening_her_period_in_the_admin_is_in_her_log(client, user):
    staff = UserFactory(email="support@planher.test", is_staff=True, is_superuser=True)
    period = PeriodFactory(user=user)
    client.force_login(staff)

    page = client.get(f"/admin/cycles/period/{period.pk}/change/")

    assert page.status_code == 200
    event = ActivityEvent.objects.get(user=user)
    assert event.event == Event.STAFF_VIEWED_HEALTH_DATA
    assert "support@planher.test" in event.detail
    assert events_of(staff) == []


def test_staff_see_her_log_in_the_admin_and_cannot_change_it(client, user):
    staff = UserFactory(email="support@planher.test", is_staff=True, is_superuser=True)
    record_activity(user, Event.LOGOUT)
    client.force_login(staff)

    listing = client.get("/admin/accounts/activityevent/")
    event = ActivityEvent.objects.get(user=user)

    assert listing.status_code == 200 and user.email in listing.content.decode()
    assert client.get(f"/admin/accounts/activityevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/accounts/activityevent/add/").status_code == 403


def test_her_log_pages_newest_first(api, user):
    with time_machine.travel(now() - timedelta(days=2), tick=False):
        record_activity(user, Event.LOGOUT)
    record_activity(user, Event.EXPORT)
    results = api.get(f"{API}/me/activity").json()["results"]
    assert [event["event"] for event in results] == ["export", "logout"]
