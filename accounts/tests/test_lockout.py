"""Failed logins are limited per account, from any address (django-axes).

Each attempt comes from its own address, so the per-IP limit
(``THROTTLE_AUTH_RATE``) never trips: what answers 429 here is the account's lock.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.lockout import lockout_username
from accounts.models import ActivityEvent

from .factories import PASSWORD, UserFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
addresses = (f"198.51.100.{n}" for n in range(1, 255))


def login(client, email, password, address=None):
    return client.post(
        "/api/v1/auth/login",
        {"email": email, "password": password},
        REMOTE_ADDR=address or next(addresses),
    )


def fail_ten_times(client, email="alice@example.com"):
    return [login(client, email, "not-her-password").status_code for _ in range(10)]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", is_staff=True)


def test_ten_failed_logins_from_ten_addresses_lock_her_login_even_with_the_right_password(
    anon_client, alice, clock
):
    assert fail_ten_times(anon_client) == [401] * 10
    locked = login(anon_client, "alice@example.com", PASSWORD)
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert set(locked.data) == {"detail"}  # DRF's shape, like every other 429
    assert "reset your password" in locked.data["detail"]
    assert "access" not in locked.data


def test_retry_after_counts_down_to_the_end_of_the_window(anon_client, alice, clock):
    fail_ten_times(anon_client)
    clock.shift(timedelta(minutes=5))
    assert login(anon_client, "alice@example.com", PASSWORD)["Retry-After"] == str(10 * 60)


def test_another_account_still_logs_in_while_hers_is_locked(anon_client, alice, clock):
    UserFactory(email="mallory@example.com")
    fail_ten_times(anon_client)
    assert login(anon_client, "mallory@example.com", PASSWORD).status_code == 200


def test_she_logs_in_once_the_fifteen_minutes_have_passed(anon_client, alice, clock):
    fail_ten_times(anon_client)
    clock.shift(WINDOW - timedelta(seconds=1))
    still = login(anon_client, "alice@example.com", PASSWORD)
    assert (still.status_code, still["Retry-After"]) == (429, "1")
    clock.shift(timedelta(seconds=1))
    assert login(anon_client, "alice@example.com", PASSWORD).status_code == 200


def test_attempts_during_the_lock_do_not_extend_it(anon_client, alice, clock):
    fail_ten_times(anon_client)
    for _ in range(5):
        clock.shift(timedelta(minutes=2))
        assert login(anon_client, "alice@example.com", "guess").status_code == 429
    clock.shift(WINDOW - timedelta(minutes=10))
    assert login(anon_client, "alice@example.com", PASSWORD).status_code == 200


def test_failures_older_than_the_window_do_not_count(anon_client, alice, clock):
    for _ in range(9):
        login(anon_client, "alice@example.com", "guess")
    clock.shift(WINDOW)
    assert login(anon_client, "alice@example.com", "guess").status_code == 401
    assert login(anon_client, "alice@example.com", PASSWORD).status_code == 200


LOOK_ALIKES = [
    "Alice@Example.com",
    "ALICE@EXAMPLE.COM",
    "\uff41\uff4c\uff49\uff43\uff45@example.com",  # fullwidth letters
    "alice@EXAMPLE.com",
    "\uff21\uff2c\uff29\uff23\uff25@example.com",  # fullwidth capitals
    "alice@\uff45\uff58ample.com",  # a fullwidth domain
]


def test_look_alike_spellings_of_her_address_count_toward_her_limit(anon_client, alice, clock):
    statuses = [
        login(anon_client, LOOK_ALIKES[n % len(LOOK_ALIKES)], "guess").status_code
        for n in range(10)
    ]
    assert statuses == [401] * 10
    assert login(anon_client, "alice@example.com", PASSWORD).status_code == 429


@given(
    spelling=st.lists(st.sampled_from(["lower", "upper", "fullwidth"]), min_size=17, max_size=17)
)
def test_every_case_and_width_spelling_is_counted_as_her_address(spelling):
    address = "alice@example.com"
    typed = ""
    for character, how in zip(address, spelling, strict=True):
        if how == "upper":
            character = character.upper()
        elif how == "fullwidth" and character.isalpha():
            character = chr(ord(character) - ord("a") + 0xFF41)
        typed += character
    assert lockout_username(None, {"email": typed}) == address


def test_an_address_without_an_account_is_locked_the_same_way(anon_client, db, clock):
    """No difference that would tell whether an account exists."""
    assert fail_ten_times(anon_client, "nobody@example.com") == [401] * 10
    assert login(anon_client, "nobody@example.com", "guess").status_code == 429


# --- the admin login ------------------------------------------------------------


def admin_login(client, email, password):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": "/admin/"},
        REMOTE_ADDR=next(addresses),
    )


def test_the_admin_login_is_locked_after_ten_failures_from_ten_addresses(client, alice, clock):
    for _ in range(9):
        assert admin_login(client, "alice@example.com", "guess").status_code == 200  # form again
    locked = admin_login(client, "Alice@Example.com", "guess")  # the tenth locks it
    assert locked.status_code == 429
    again = admin_login(client, "alice@example.com", PASSWORD)
    assert again.status_code == 429
    assert again["Retry-After"] == str(15 * 60)
    assert b"too many failed logins" in again.content
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in
    clock.shift(WINDOW)
    assert admin_login(client, "alice@example.com", PASSWORD).status_code == 302  # in


def test_failures_on_the_api_lock_the_admin_login_too(anon_client, client, alice, clock):
    fail_ten_times(anon_client)
    assert admin_login(client, "alice@example.com", PASSWORD).status_code == 429


# --- her activity log -------------------------------------------------------------


def activity_of(user) -> list[tuple[str, str]]:
    return list(
        ActivityEvent.objects.for_user(user).order_by("at", "pk").values_list("event", "ip")
    )


def test_her_login_and_a_failed_one_are_in_her_activity_with_their_address(
    anon_client, alice, clock
):
    login(anon_client, "Alice@Example.com", "not-her-password", address="203.0.113.5")
    answer = login(anon_client, "alice@example.com", PASSWORD, address="203.0.113.6")
    assert answer.status_code == 200
    assert activity_of(alice) == [("login_failed", "203.0.113.5"), ("login", "203.0.113.6")]
    mine = anon_client.get(
        "/api/v1/auth/me/activity", HTTP_AUTHORIZATION=f"Bearer {answer.data['access']}"
    )
    assert [event["event"] for event in mine.json()["results"]] == ["login", "login_failed"]


def test_no_password_tried_is_kept_in_her_activity(anon_client, alice, clock):
    login(anon_client, "alice@example.com", "my-secret-guess")
    login(anon_client, "alice@example.com", PASSWORD)
    for event in ActivityEvent.objects.for_user(alice):
        kept = f"{event.detail} {event.user_agent} {event.ip}"
        assert "my-secret-guess" not in kept
        assert PASSWORD not in kept


def test_the_failure_that_locks_her_login_says_so_and_refused_attempts_are_not_logged(
    anon_client, alice, clock
):
    fail_ten_times(anon_client)
    for _ in range(5):
        assert login(anon_client, "alice@example.com", PASSWORD).status_code == 429
    failures = ActivityEvent.objects.for_user(alice).order_by("at", "pk")
    assert [event.event for event in failures] == ["login_failed"] * 10
    assert [bool(event.detail) for event in failures] == [False] * 9 + [True]
    assert "locked" in failures.last().detail


def test_a_failed_login_for_an_address_without_an_account_records_nothing(anon_client, db):
    login(anon_client, "nobody@example.com", "guess")
    assert not ActivityEvent.objects.exists()
