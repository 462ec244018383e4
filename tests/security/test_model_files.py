"""Model files: unreachable over HTTP, never unpickled unless signed.

Part of what SECURITY.md promises, each shown over real HTTP."""

import pickle
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils.crypto import salted_hmac

from predictions import lifecycle
from predictions.models import EnergyModel

from .common import API

pytestmark = pytest.mark.django_db


def test_model_files_are_unreachable_over_http(trained_model, api, anon_client):
    name = trained_model.file.name
    path = Path(django_settings.MEDIA_ROOT, name)
    assert path.is_file()
    urls = [
        f"/media/{name}",
        f"/var/media/{name}",
        f"/{name}",
        f"/static/{name}",
        f"/static/../var/media/{name}",
        f"/api/v1/{name}",
        f"/api/v1/../../var/media/{name}",
        str(path),
    ]
    for url in urls:
        for client in (anon_client, api):
            response = client.get(url)
            assert response.status_code == 404, url
            assert path.read_bytes()[:64] not in response.content


class CreatesMarkerWhenUnpickled:
    """A pickle payload: unpickling it calls open(marker, "w"), creating the file."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def malicious_payload(marker: Path) -> bytes:
    payload = pickle.dumps(CreatesMarkerWhenUnpickled(marker))
    # The control: this payload really does run code when unpickled.
    pickle.loads(payload).close()
    assert marker.exists()
    marker.unlink()
    return payload


def assert_served_from_the_fallback(api):
    current = api.get(f"{API}/predictions/current")
    assert current.status_code == 200
    assert current.json()["energy"]["source"] == "fallback"
    forecast = api.get(f"{API}/predictions/forecast", {"days": 60})
    assert forecast.status_code == 200
    assert {day["energy"]["source"] for day in forecast.json()["days"]} == {"fallback"}


@pytest.mark.parametrize("digest", ["kept", "forged with another key"])
def test_a_malicious_model_file_is_never_unpickled(trained_model, api, tmp_path, digest):
    marker = tmp_path / "pwned"
    payload = malicious_payload(marker)
    Path(django_settings.MEDIA_ROOT, trained_model.file.name).write_bytes(payload)
    if digest != "kept":
        forged = salted_hmac(
            lifecycle.HMAC_SALT, payload, secret="not-our-secret-key", algorithm="sha256"
        ).hexdigest()
        EnergyModel.objects.filter(pk=trained_model.pk).update(digest=forged)

    assert_served_from_the_fallback(api)

    assert not marker.exists()
    model = api.get(f"{API}/predictions/model").json()
    assert model["serving"] == "fallback"
    assert "signature mismatch" in model["last_error"]
