from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.timezone import now

from .emails import EmailAddressField, normalize_email, validate_email_characters
from .timezones import validate_timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalize_email(email or "")

    def get_by_natural_key(self, email):
        # The field compares normal forms: "Ada@X.org" and "ada@x.org" are one
        # user, and the unique constraint makes a second match impossible.
        return self.get(email=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A PlanHer account. The email is the login; her timezone defines "today"."""

    email = EmailAddressField(
        "email address",
        max_length=254,
        unique=True,
        validators=[validate_email_characters],
        error_messages={"unique": "A user with this email address already exists."},
        help_text="Stored in its normal form: NFKC, lower case, IDNA domain.",
    )
    name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone name; her local date is what 'today' means.",
    )
    is_staff = models.BooleanField(
        default=False, help_text="Can log into the admin site to support users."
    )
    is_active = models.BooleanField(default=True)
    email_verified = models.BooleanField(
        default=False,
        help_text="She opened the link sent to her address (or reset her password "
        "through one). Accounts from before verification existed start unverified.",
    )
    is_demo = models.BooleanField(
        "demo user",
        default=False,
        help_text="Made by `manage.py seed` with a generated history: not a real person.",
    )
    date_joined = models.DateTimeField(default=now)
    data_version = models.PositiveBigIntegerField(
        default=0,
        editable=False,
        help_text="Counts changes to her data: keys the caches of answers derived from it.",
    )
    token_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Bumped by a password change or reset: every token carrying an older "
        "value is refused.",
    )
    revoked_chains = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Sessions ended before their time (logout, refresh reuse): chain id -> "
        "when its tokens would have expired anyway (epoch seconds), pruned after that.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def chain_is_revoked(self, chain: str) -> bool:
        return chain in self.revoked_chains

    def local_today(self):
        """Her calendar date now, in her own time zone."""
        return now().astimezone(ZoneInfo(self.timezone)).date()


class ActivityEventQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class ActivityEvent(models.Model):
    """A security event of her account: what happened, when, from where.

    Never a password or a token. Deleted with her account; only an
    ``account_deleted`` row stays, with no user, address or browser: a trace that
    an account was deleted, nothing about whose.
    """

    class Event(models.TextChoices):
        LOGIN = "login"
        LOGIN_FAILED = "login_failed"
        LOGOUT = "logout"
        REFRESH_REUSE = "refresh_reuse"
        PASSWORD_CHANGED = "password_changed"
        PASSWORD_RESET = "password_reset"
        EMAIL_VERIFIED = "email_verified"
        EXPORT = "export"
        ACCOUNT_DELETED = "account_deleted"
        STAFF_VIEWED_HEALTH_DATA = "staff_viewed_health_data"

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity",
    )
    at = models.DateTimeField(default=now, db_index=True)
    event = models.CharField(max_length=32, choices=Event.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # Who or what, where it is not her: the staff member who opened her data.
    detail = models.CharField(max_length=200, blank=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="accounts_activity_user_at")]

    def __str__(self):
        return f"{self.event} at {self.at:%Y-%m-%d %H:%M} ({self.user or 'deleted account'})"
