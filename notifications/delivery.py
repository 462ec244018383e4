"""Sending a notification whose row has committed: email, then Web Push.

Email goes the way of the account mail (``accounts/mail.py``): Django's mail
backend (the console without ``EMAIL_HOST``), a plain-text and an HTML body from
templates, here with an unsubscribe link that needs no login (a signed token,
``unsubscribe_token``) and RFC 8058 one-click headers (``List-Unsubscribe``,
``List-Unsubscribe-Post``). Only to a verified address.

Web Push uses pywebpush with the VAPID keys of the environment; a subscription
its push service answers 404 or 410 for is gone and is removed.

Each channel's outcome is written on the row (``email_status``,
``push_status``): the admin shows them. A failure is recorded, not retried: the
row is the promise that the reminder is sent at most once.
"""

import json
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import Delivery, Notification, PushSubscription

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
PUSH_TIMEOUT_SECONDS = 10


def _address_tag(email: str) -> str:
    # A keyed hash of her address, not the address: the URL lands in server logs.
    return salted_hmac(UNSUBSCRIBE_SALT, email).hexdigest()[:16]


def unsubscribe_token(user) -> str:
    # Names her id and (a hash of) her address: a link sent to an address she no
    # longer has does nothing. No expiry: an old email's link must still work.
    return signing.dumps({"user": user.pk, "a": _address_tag(user.email)}, salt=UNSUBSCRIBE_SALT)


def user_from_unsubscribe_token(token: str):
    try:
        claims = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.filter(pk=claims["user"]).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not constant_time_compare(_address_tag(user.email), claims.get("a", "")):
        return None
    return user


def unsubscribe_url(user) -> str:
    path = reverse("notifications-unsubscribe", kwargs={"token": unsubscribe_token(user)})
    return f"{settings.SITE_URL}{path}"


def email_message(notification: Notification, connection=None) -> EmailMultiAlternatives:
    user = notification.user
    link = unsubscribe_url(user)
    context = {
        "user": user,
        "notification": notification,
        "app_url": settings.FRONTEND_URL,
        "unsubscribe_url": link,
    }
    base = "notifications/email/reminder"
    message = EmailMultiAlternatives(
        " ".join(notification.title.split()),
        render_to_string(f"{base}.txt", context),
        to=[user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def push_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


def send_push(notification: Notification) -> str:
    """To each of her subscriptions; a 404 or 410 removes that subscription."""
    from pywebpush import WebPushException, webpush

    payload = json.dumps(
        {
            "id": notification.pk,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
        }
    )
    sent = failed = 0
    for subscription in PushSubscription.objects.for_user(notification.user_id):
        try:
            webpush(
                subscription.as_webpush_info(),
                payload,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                timeout=PUSH_TIMEOUT_SECONDS,
            )
            sent += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):
                subscription.delete()  # the browser unsubscribed, or the endpoint expired
            else:
                failed += 1
                logger.warning("push to subscription %s failed: %s", subscription.pk, status)
        except OSError:  # refused, timed out (requests' errors are OSErrors)
            failed += 1
            logger.warning("push to subscription %s failed", subscription.pk, exc_info=True)
    if sent:
        return Delivery.SENT
    return Delivery.FAILED if failed else Delivery.OFF


def deliver(notification_ids: list[int]) -> None:
    """Send what the committed rows ask for, one mail connection for the batch;
    the outcomes are written at the end, one UPDATE per distinct outcome."""
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("user")
    connection = None
    outcomes: dict[tuple, list[int]] = defaultdict(list)
    try:
        for notification in notifications:
            changed = {}
            if notification.email_status == Delivery.PENDING:
                try:
                    connection = connection or get_connection()
                    email_message(notification, connection).send()
                    changed.update(email_status=Delivery.SENT, delivery_error="")
                except OSError as error:  # smtplib's errors are OSErrors
                    logger.warning("reminder %s: mail failed", notification.pk, exc_info=True)
                    changed.update(
                        email_status=Delivery.FAILED, delivery_error=f"email: {error}"[:300]
                    )
            if notification.push_status == Delivery.PENDING:
                changed["push_status"] = send_push(notification)
            if changed:
                outcomes[tuple(sorted(changed.items()))].append(notification.pk)
    finally:
        if connection is not None:
            connection.close()
        # The rows' delivery status is bookkeeping, not her data: a plain
        # QuerySet announces no change (as the row's save never did).
        rows = models.QuerySet(Notification)
        for outcome, pks in outcomes.items():
            rows.filter(pk__in=pks).update(**dict(outcome))
