"""Her notifications, what she wants to be told, where, and her calendar feed.

``Notification`` is the in-app list and the ledger of what was sent: the unique
``(user, kind, key)`` row is written, and committed, before anything leaves (an
email, a push), so two dispatchers or a rerun never send a reminder twice
(``key`` is her local date for the daily kinds, ``code:since`` for an alert).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.timezone import now

from core.fields import EncryptedTextField
from core.userdata import OwnedQuerySet

from . import schedule


class Kind(models.TextChoices):
    PERIOD_DUE = schedule.PERIOD_DUE, "Period due"
    LOG_REMINDER = schedule.LOG_REMINDER, "Log reminder"
    LATE_PERIOD = schedule.LATE_PERIOD, "Late period"
    FERTILE_WINDOW = schedule.FERTILE_WINDOW, "Fertile window"
    WEEKLY_SUMMARY = schedule.WEEKLY_SUMMARY, "Weekly summary"
    ALERT = schedule.ALERT, "Alert"


class Delivery(models.TextChoices):
    """Where one channel stands for one notification."""

    OFF = "off", "not asked for"  # her preference, an unverified address, no subscription
    PENDING = "pending", "pending"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"


class NotificationPreferencesQuerySet(OwnedQuerySet):
    def due(self, at):
        return self.filter(next_check_at__lte=at)


class NotificationPreferences(models.Model):
    """What she wants to be reminded of (defaults: API.md), and when she is next read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    period_due_days_before = models.PositiveSmallIntegerField(
        null=True, blank=True, default=2, validators=[MaxValueValidator(7)]
    )
    log_reminder_time = models.TimeField(null=True, blank=True, default=None)
    late_period = models.BooleanField(default=True)
    fertile_window = models.BooleanField(default=False)
    weekly_summary = models.BooleanField(default=False)
    alerts = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    push = models.BooleanField(default=False)
    next_check_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text="The next instant one of her reminders may be due (null: none enabled). "
        "The dispatcher reads only the rows whose instant has come.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotificationPreferencesQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self):
        return f"notification preferences of {self.user}"

    def kind_times(self) -> dict:
        enabled = {
            schedule.PERIOD_DUE: self.period_due_days_before is not None,
            schedule.LATE_PERIOD: self.late_period,
            schedule.FERTILE_WINDOW: self.fertile_window,
            schedule.WEEKLY_SUMMARY: self.weekly_summary,
            schedule.ALERT: self.alerts,
        }
        return schedule.kind_times(enabled, self.log_reminder_time)

    def schedule_after(self, at, zone) -> None:
        """Set ``next_check_at`` to the first instant after ``at`` something is due."""
        self.next_check_at = schedule.next_check_after(self.kind_times(), at, zone)


class NotificationQuerySet(OwnedQuerySet):
    pass


class Notification(models.Model):
    """One reminder or alert she was sent: in her in-app list, and its delivery."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(
        max_length=200,
        help_text="Once per user, kind and key: her local date, or an alert's code:since.",
    )
    local_date = models.DateField(help_text="Her local date when it was sent.")
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.OFF)
    push_status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.OFF)
    delivery_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "key"], name="notifications_once_per_user_kind_key"
            )
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notifications_user_newest")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.user} on {self.local_date}"


class PushSubscription(models.Model):
    """A browser she subscribed for Web Push (removed when its push service says 404/410)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=now)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"push subscription of {self.user}"

    def as_webpush_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """Her private calendar subscription: a random token in the URL.

    Looked up by the token's SHA-256 (``token_hash``, unique): the database is
    never asked for the secret itself. The token is kept encrypted at rest too
    (``secret``, ``core.fields``) because ``GET /calendar/feed`` gives her the same
    URL again.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # Not named ``token``: ``reencrypt_fields`` annotates its rows with that name.
    secret = EncryptedTextField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self):
        return f"calendar feed of {self.user}"

    def new_token(self) -> None:
        token = secrets.token_urlsafe(32)
        self.secret, self.token_hash = token, token_digest(token)
