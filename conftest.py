"""Fixtures shared by every app's tests: three people and their API clients.

Following healthchecks: each endpoint is exercised by its owner and by a
stranger (``other_user``), who must see nothing of the owner's data.
"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import UserFactory
from accounts.tokens import VERSION_CLAIM
from core import background, userdata
from predictions.lifecycle import estimators


@pytest.fixture(autouse=True)
def _isolated_environment(settings, tmp_path, monkeypatch):
    # Model files go to a throwaway folder; static files need no manifest.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Hashing passwords at full strength would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Throttle counters, cached answers and loaded models must not leak between tests.
    cache.clear()
    estimators.clear()
    # Each process's copies of its answers, on as in production (with Redis), fresh
    # per test: every test of a cached answer also tests their freshness.
    monkeypatch.setattr(userdata, "local_answers", userdata.LocalAnswers(16 << 20, 60))
    yield
    cache.clear()
    estimators.clear()


@pytest.fixture(autouse=True)
def background_jobs(monkeypatch):
    """Jobs queued without a broker (her trainings) wait until the test calls
    ``background_jobs.drain()``, which runs them in the test's own thread and
    transaction: deterministic, and they see what the test wrote."""
    runner = background.BackgroundRunner(threads=0)
    monkeypatch.setattr(background, "runner", runner)
    return runner


@pytest.fixture
def user(db):
    return UserFactory(email="alice@example.com", name="Alice")


@pytest.fixture
def other_user(db):
    return UserFactory(email="mallory@example.com", name="Mallory")


@pytest.fixture
def two_people(user, other_user):
    """Alice (``user``, ``api``) and Mallory (``other_user``, ``other_api``), both
    with data (``tests/two_people.py``), for every app's owner/stranger tests."""
    from tests.two_people import PEOPLE, give_data

    give_data(user, PEOPLE["alice"])
    give_data(other_user, PEOPLE["mallory"])
    return {"alice": user, "mallory": other_user}


@pytest.fixture
def anon_client():
    return APIClient()


def authenticated_client(user) -> APIClient:
    """A client that sends a real JWT access token, as the frontend does."""
    client = APIClient()
    token = AccessToken.for_user(user)
    token[VERSION_CLAIM] = user.token_version  # as her login's would: valid after a reset
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def client_for():
    """Makes an authenticated client for any user."""
    return authenticated_client


@pytest.fixture
def api(user):
    """The owner's client."""
    return authenticated_client(user)


@pytest.fixture
def other_api(other_user):
    """A stranger's client."""
    return authenticated_client(other_user)
