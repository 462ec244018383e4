"""What the security tests share: clients, and two people with data."""

from pathlib import Path

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

User = get_user_model()
ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1"
STRONG = "a-much-better-passphrase-42"


def bearer(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(client, email, password=PASSWORD):
    return client.post(f"{API}/auth/login", {"email": email, "password": password})
