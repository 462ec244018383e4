"""Throttling: credential endpoints per client IP, the user rate per user.

Part of what SECURITY.md promises, each shown over real HTTP."""

import pytest

from accounts.tests.factories import PASSWORD
from core import throttling
from moods.models import DailyMood

from .common import API, STRONG, User

pytestmark = pytest.mark.django_db


# --- Throttling ----------------------------------------------------------------------------

AUTH_RATE = 10  # THROTTLE_AUTH_RATE=10/min, from pytest.ini


# Each credential endpoint (login: accounts/tests/test_auth.py), and a wrong attempt at it.
WRONG_ATTEMPTS = {
    "register": ("post", "/auth/register", {"email": "bad", "password": "x"}),
    "refresh": ("post", "/auth/refresh", {"refresh": "garbage"}),
    "password": ("post", "/auth/password", {"old_password": "wrong", "new_password": STRONG}),
    "delete account": ("delete", "/auth/me", {"password": "wrong"}),
}


@pytest.mark.parametrize("endpoint", list(WRONG_ATTEMPTS))
def test_every_credential_endpoint_is_throttled_per_client_ip(api, user, endpoint):
    method, path, body = WRONG_ATTEMPTS[endpoint]

    def attempt(**extra):
        return getattr(api, method)(f"{API}{path}", body, **extra)

    statuses = [attempt().status_code for _ in range(AUTH_RATE)]
    assert all(status in (400, 401) for status in statuses), statuses
    throttled = attempt()
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    # Another client address has a budget of its own.
    assert attempt(REMOTE_ADDR="198.51.100.9").status_code in (400, 401)
    # Her other routes are not held back by it.
    assert api.get(f"{API}/auth/me").status_code == 200
    assert User.objects.filter(pk=user.pk).exists()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.fixture
def user_rate(monkeypatch):
    """A per-user rate of 3 requests a minute. DRF copies the rates into the
    throttle class when it is defined, so the class attribute is what to patch."""
    rates = {**throttling.UserRateThrottle.THROTTLE_RATES, "user": "3/min"}
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", rates)
    return 3


def test_the_user_rate_limits_her_across_every_route(api, user_rate):
    routes = ["/periods/", "/moods/", "/predictions/model"]
    statuses = [api.get(f"{API}{routes[n % 3]}").status_code for n in range(user_rate)]
    assert statuses == [200] * user_rate
    for route in [*routes, "/auth/me"]:
        throttled = api.get(f"{API}{route}")
        assert throttled.status_code == 429, route
        assert int(throttled["Retry-After"]) > 0
    write = api.post(f"{API}/moods/", {"date": "2026-01-01", "energy_level": 1})
    assert write.status_code == 429
    assert not DailyMood.objects.exists()


def test_the_user_rate_follows_her_not_her_address(api, other_api, user_rate):
    for n in range(user_rate):
        assert api.get(f"{API}/periods/", REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 200
    assert api.get(f"{API}/periods/", REMOTE_ADDR="203.0.113.77").status_code == 429
    # Another person behind the very same address is not held back.
    assert other_api.get(f"{API}/periods/").status_code == 200


def test_health_is_never_throttled(anon_client, user_rate, db):
    assert {anon_client.get(f"{API}/health").status_code for _ in range(10)} == {200}


def test_a_rate_of_off_disables_a_throttle(monkeypatch):
    from planher.settings import env_rate

    monkeypatch.setenv("THROTTLE_USER_RATE", "off")
    assert env_rate("THROTTLE_USER_RATE", "600/min") is None
    monkeypatch.setenv("THROTTLE_USER_RATE", "5/sec")
    assert env_rate("THROTTLE_USER_RATE", "600/min") == "5/sec"


def test_without_a_rate_nobody_is_throttled(api, monkeypatch):
    rates = {**throttling.UserRateThrottle.THROTTLE_RATES, "user": None}
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", rates)
    assert {api.get(f"{API}/periods/").status_code for _ in range(30)} == {200}


def test_a_burst_at_the_end_of_a_minute_still_counts_just_after_it(api, user_rate):
    """The window slides: the minute before weighs by the part of it still inside."""
    import time
    from datetime import UTC, datetime

    import time_machine

    minute = (int(time.time()) // 60 + 1) * 60  # the tokens are fresh: stay within minutes

    def at(seconds):
        return time_machine.travel(datetime.fromtimestamp(minute + seconds, UTC), tick=False)

    with at(50):
        assert [api.get(f"{API}/periods/").status_code for _ in range(3)] == [200] * 3
    with at(70):  # 3 x 50/60 of the last minute + 1 now: over 3
        refused = api.get(f"{API}/periods/")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "10"  # 3 x 40/60 + 1 = 3: allowed at 80
    with at(80):
        assert api.get(f"{API}/periods/").status_code == 200
        assert api.get(f"{API}/periods/").status_code == 429
    with at(120 + 1):  # two minutes on: the burst has left the window
        assert api.get(f"{API}/periods/").status_code == 200


@pytest.mark.redis
def test_the_user_rate_holds_across_workers_sharing_redis(api, user_rate, monkeypatch):
    """Two workers, each with its own Redis client, share her counter."""
    import os

    from core.cache import RedisCache

    url = os.environ.get("REDIS_CACHE_TEST_URL", "redis://127.0.0.1:6379/10")
    workers = [RedisCache(url, {}), RedisCache(url, {})]
    workers[0].clear()
    try:
        statuses = []
        for n in range(user_rate + 1):
            monkeypatch.setattr(throttling.UserRateThrottle, "cache", workers[n % 2])
            statuses.append(api.get(f"{API}/periods/").status_code)
        assert statuses == [200] * user_rate + [429]
    finally:
        workers[0].clear()
