"""The docs pages (Swagger UI, ReDoc) load everything from this site.

Their scripts and styles come from drf-spectacular-sidecar as static files, so
the pages work offline and behind a strict firewall, with pinned versions.
"""

import re

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

DOCS_PAGES = ["/api/docs/", "/api/redoc/"]
SIDECAR = "/static/drf_spectacular_sidecar/"


def page_assets(html: str) -> list[str]:
    """Every URL the page loads: src and href attributes."""
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


def served_body(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body, url
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("page", DOCS_PAGES)
def test_the_docs_pages_load_nothing_from_another_site(anon_client, page):
    html = anon_client.get(page).content.decode()
    assets = page_assets(html)
    assert any(asset.startswith(SIDECAR) for asset in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
    # Nor from a script: no absolute URL anywhere in the page.
    assert not re.search(r"https?://", html)


@pytest.mark.django_db
@pytest.mark.parametrize("page", DOCS_PAGES)
def test_every_asset_of_the_docs_pages_is_served_by_this_site(settings, page):
    # WhiteNoise serves straight from the apps' static folders, as with DEBUG on
    # (a new client builds its middleware with these settings).
    settings.WHITENOISE_USE_FINDERS = True
    client = APIClient()
    html = client.get(page).content.decode()
    for asset in page_assets(html):
        body = served_body(client, asset)
        if asset.endswith(".js"):
            assert len(body) > 100_000, asset  # the bundle, not a stub


@pytest.mark.django_db
def test_after_collectstatic_the_docs_assets_are_served_with_debug_off(settings, tmp_path):
    # As in production: hashed names from the manifest, served by WhiteNoise
    # from STATIC_ROOT, nothing from the apps' folders.
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    client = APIClient()
    for page in DOCS_PAGES:
        assets = page_assets(client.get(page).content.decode())
        sidecar = [asset for asset in assets if asset.startswith(SIDECAR)]
        assert sidecar, page
        for asset in sidecar:
            assert re.search(r"\.[0-9a-f]{12}\.", asset), asset  # a hashed, cacheable name
            served_body(client, asset)
