"""Web Push against a local fake push service (a real HTTP server in a thread):
the reminder arrives encrypted with VAPID, and a subscription the service
answers 404 or 410 for is removed."""

import base64
import os
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from notifications.models import Delivery, Notification, NotificationPreferences, PushSubscription

from .helpers import dispatch_at, person

pytestmark = pytest.mark.django_db(transaction=True)
TODAY = date(2026, 3, 16)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakePushService(BaseHTTPRequestHandler):
    """/ok/... answers 201, /gone/... 410, /missing/... 404, /broken/... 500."""

    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        FakePushService.received.append(
            (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        code = {"ok": 201, "gone": 410, "missing": 404}.get(self.path.split("/")[1], 500)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePushService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakePushService.received = []
    vapid = Vapid()
    vapid.generate_keys()
    settings.VAPID_PRIVATE_KEY = b64(
        vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    )
    settings.VAPID_PUBLIC_KEY = b64(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.VAPID_SUBJECT = "mailto:ops@planher.test"
    settings.WEB_PUSH_ALLOW_HTTP = True
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def browser_keys() -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": b64(public), "auth": b64(os.urandom(16))}


def subscribe(client_for, user, endpoint):
    answer = client_for(user).post(
        "/api/v1/notifications/push-subscriptions",
        {"endpoint": endpoint, "keys": browser_keys()},
        format="json",
    )
    assert answer.status_code == 201, answer.content


def test_a_reminder_is_pushed_encrypted_with_vapid_and_gone_subscriptions_are_removed(
    push_service, client_for
):
    with time_machine.travel("2026-03-15T23:30:00+00:00", tick=False):
        alice = person("alice@example.com", last_start=TODAY - timedelta(days=31), push=True)
        subscribe(client_for, alice, f"{push_service}/ok/alice-laptop")
        subscribe(client_for, alice, f"{push_service}/gone/alice-old-phone")
        subscribe(client_for, alice, f"{push_service}/missing/alice-old-tablet")
        bob = person("bob@example.com", last_start=TODAY - timedelta(days=31))  # push off
        subscribe(client_for, bob, f"{push_service}/ok/bob-phone")

    dispatch_at("2026-03-16T09:00:00+00:00")

    paths = sorted(path for path, _, _ in FakePushService.received)
    assert paths == ["/gone/alice-old-phone", "/missing/alice-old-tablet", "/ok/alice-laptop"]
    _, headers, body = next(r for r in FakePushService.received if r[0] == "/ok/alice-laptop")
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert b"late" not in body  # encrypted: the reminder's words never travel in clear
    assert list(PushSubscription.objects.filter(user=alice).values_list("endpoint", flat=True)) == [
        f"{push_service}/ok/alice-laptop"
    ]
    assert Notification.objects.get(user=alice).push_status == Delivery.SENT
    assert Notification.objects.get(user=bob).push_status == Delivery.OFF
    assert NotificationPreferences.objects.get(user=bob).push is False


def test_a_push_service_error_is_recorded_and_the_subscription_kept(push_service, client_for):
    with time_machine.travel("2026-03-15T23:30:00+00:00", tick=False):
        alice = person("alice@example.com", last_start=TODAY - timedelta(days=31), push=True)
        subscribe(client_for, alice, f"{push_service}/broken/alice-laptop")

    dispatch_at("2026-03-16T09:00:00+00:00")

    assert Notification.objects.get(user=alice).push_status == Delivery.FAILED
    assert PushSubscription.objects.filter(user=alice).count() == 1
