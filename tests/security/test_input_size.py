"""Input size: a body over the upload limit is a 400.

Part of what SECURITY.md promises, each shown over real HTTP."""

import json

import pytest

from moods.models import DailyMood

from .common import API

pytestmark = pytest.mark.django_db


# --- Input size ------------------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_a_400_in_drfs_shape(api, user):
    body = json.dumps({"date": "2026-01-01", "energy_level": 1, "notes": "x" * (2 * 1024 * 1024)})
    response = api.post(f"{API}/moods/", body, content_type="application/json")
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert not DailyMood.objects.exists()
