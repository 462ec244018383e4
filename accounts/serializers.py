import copy

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.timezone import now
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from core.serializers import FieldsBuiltOnce
from core.userdata import user_data_sections

from . import lockout, mail, services
from .activity import Event, record_activity
from .authentication import session_refusal
from .emails import (
    EmailAddressField,
    invisible_character_message,
    normalize_email,
    validate_email_characters,
)
from .models import ActivityEvent
from .timezones import validate_timezone
from .tokens import CHAIN_CLAIM, RefreshTokenReused, SessionRefreshToken, session_end

User = get_user_model()

EMAIL_TAKEN = "A user with this email address already exists."


def password_field(**kwargs) -> serializers.CharField:
    # Spaces around a password are part of it: trimming them would let
    # "secret " log in as "secret" and lock out a password made of them.
    return serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}, **kwargs
    )


class EmailAddressInput(serializers.EmailField):
    """An address as typed; validated and handed on in its normal form
    (``accounts.emails``), the form it is stored and looked up in."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        message = invisible_character_message(value)
        if message is not None:
            raise serializers.ValidationError(message, code="invisible_character")
        return normalize_email(value)


class UserSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_timezone],
        help_text="IANA time zone name, e.g. Europe/Paris. Defines your 'today'.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "timezone", "date_joined", "email_verified"]
        read_only_fields = ["id", "email", "date_joined", "email_verified"]
        extra_kwargs = {
            "email_verified": {
                "help_text": "Whether she opened the verification link sent to her address."
            }
        }


class RegisterSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        EmailAddressField: EmailAddressInput,
    }
    password = password_field()
    timezone = serializers.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone name, e.g. Europe/Paris. Defines your 'today'.",
    )

    class Meta:
        model = User
        fields = ["email", "password", "name", "timezone"]
        extra_kwargs = {"email": {"validators": []}}  # checked below, in its normal form

    def validate_email(self, value):
        # The same comparison as the unique constraint: both see the normal form.
        if User.objects.filter(email=value).exists():
            raise serializers.ValidationError(EMAIL_TAKEN)
        return value

    def validate(self, attrs):
        candidate = User(email=attrs["email"], name=attrs.get("name", ""))
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs

    def create(self, validated_data):
        try:
            # A savepoint, so a lost race on the unique email leaves the
            # surrounding transaction usable for the 400.
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError as error:
            raise serializers.ValidationError({"email": [EMAIL_TAKEN]}) from error


class LoginSerializer(TokenObtainPairSerializer):
    """Email and password; the email is found in its normal form, as stored."""

    token_class = SessionRefreshToken  # each login starts a chain

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = serializers.CharField(
            write_only=True, validators=[validate_email_characters]
        )
        self.fields["password"] = password_field()

    def validate(self, attrs):
        # Ten failures for this account within the window, from any address:
        # refused before the password is even checked, the right one included.
        request = self.context["request"]
        credentials = {"email": attrs["email"]}
        if lockout.is_locked(request, credentials):
            raise Throttled(
                wait=lockout.retry_after_seconds(request, credentials),
                detail=lockout.LOCKED_MESSAGE,
            )
        try:
            data = super().validate(attrs)
        except AuthenticationFailed:
            # In her log only when the address is an account's; an attempt
            # refused during a lock is not recorded (its password was not checked).
            user = User.objects.filter(email=attrs["email"]).first()
            if user is not None:
                locked = lockout.is_locked(request, credentials)
                minutes = lockout.cooloff_seconds() // 60
                detail = f"this failure locked her login for {minutes} minutes" if locked else ""
                record_activity(user, Event.LOGIN_FAILED, request, detail=detail)
            raise
        record_activity(self.user, Event.LOGIN, request)
        return data


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class RegisteredSerializer(TokenPairSerializer):
    user = UserSerializer(read_only=True)


class RefreshSerializer(TokenRefreshSerializer):
    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)
    token_class = SessionRefreshToken

    def validate(self, attrs):
        try:
            # One rotation per refresh token: concurrent requests replaying it
            # queue up on its row (SQLite: on the write lock), and every one
            # after the first finds it blacklisted when it re-reads it.
            with transaction.atomic():
                token = self.token_class(attrs["refresh"])
                list(
                    OutstandingToken.objects.select_for_update()
                    .filter(jti=token[jwt_settings.JTI_CLAIM])
                    # Without its Meta ordering on the nullable user: PostgreSQL
                    # refuses FOR UPDATE on that outer join (a 500).
                    .order_by()
                    .values_list("pk", flat=True)
                )
                token = self.token_class(attrs["refresh"])
                user = self._live_session_user(token.payload)
                token.blacklist(user)
                token.rotate(user)
                return {"access": str(token.access_token), "refresh": str(token)}
        except RefreshTokenReused as reused:
            # Outside the rotation's transaction: the revocation must stay.
            self._revoke_reused_chain(reused.payload)
            raise AuthenticationFailed(
                "This refresh token was already used; its session has ended.", "token_reused"
            ) from reused

    def _live_session_user(self, payload):
        user = User.objects.filter(
            **{jwt_settings.USER_ID_FIELD: payload.get(jwt_settings.USER_ID_CLAIM)}
        ).first()
        if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
            # Deactivated, or deleted after this token was issued.
            raise AuthenticationFailed(
                "No active account found for the given token.", "no_active_account"
            )
        refusal = session_refusal(user, payload)
        if refusal is not None:
            raise AuthenticationFailed(refusal, "session_ended")
        end = session_end(payload)
        if end is not None and now() >= end:
            raise AuthenticationFailed(
                "This session is older than the longest a session lasts; log in again.",
                "session_ended",
            )
        return user

    def _revoke_reused_chain(self, payload) -> None:
        """A second use of a refresh token is a theft signal: its whole chain
        ends, and she sees it in her activity. A token of an already ended
        session (password changed, chain revoked or past its end) is only refused."""
        chain = payload.get(CHAIN_CLAIM)
        try:
            user = self._live_session_user(payload)
        except AuthenticationFailed:
            return
        if chain is None:
            return  # a token from before chains: nothing to revoke beyond it
        services.chain_revoke(user=user, chain=chain, until=session_end(payload))
        record_activity(user, Event.REFRESH_REUSE, self.context.get("request"))


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField(help_text="The refresh token to revoke.")


class PasswordChangeSerializer(serializers.Serializer):
    old_password = password_field()
    new_password = password_field()

    def validate_old_password(self, value):
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("Your current password is not correct.")
        return value

    def validate(self, attrs):
        user = self.context["request"].user
        try:
            password_validation.validate_password(attrs["new_password"], user=user)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"new_password": list(error.messages)}) from error
        return attrs


class PasswordConfirmSerializer(serializers.Serializer):
    password = password_field(help_text="Your current password, to confirm the deletion.")

    def validate_password(self, value):
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("Your password is not correct.")
        return value


RESET_LINK_INVALID = (
    "This reset link is invalid, already used or expired (links work once, for one hour). "
    "Ask for a new one."
)
VERIFICATION_KEY_INVALID = (
    "This verification link is invalid or expired. Ask for a new one from your account."
)


class PasswordResetRequestSerializer(serializers.Serializer):
    email = EmailAddressInput(max_length=254, help_text="The address of the account.")


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="`uid` from the reset link.")
    token = serializers.CharField(max_length=128, help_text="`token` from the reset link.")
    new_password = password_field()

    def validate(self, attrs):
        user = mail.user_from_reset_uid(attrs["uid"])
        if (
            user is None
            or not user.is_active
            or not default_token_generator.check_token(user, attrs["token"])
        ):
            raise serializers.ValidationError({"token": [RESET_LINK_INVALID]}, code="invalid")
        try:
            password_validation.validate_password(attrs["new_password"], user=user)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"new_password": list(error.messages)}) from error
        return {**attrs, "user": user}


class EmailVerifySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=512, help_text="`key` from the verification link.")

    def validate(self, attrs):
        user = mail.user_from_verification_key(attrs["key"])
        if user is None or not user.is_active:
            raise serializers.ValidationError({"key": [VERIFICATION_KEY_INVALID]}, code="invalid")
        return {**attrs, "user": user}


class AcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True, help_text="What happens next, for a person.")


def tokens_for(user) -> dict[str, str]:
    """The first pair of a new session (a new chain)."""
    refresh = SessionRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class ExportAccountSerializer(serializers.Serializer):
    """Your account, as exported."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(allow_blank=True)
    timezone = serializers.CharField()
    date_joined = serializers.DateTimeField()


class ExportDocumentSerializer(serializers.Serializer):
    """Everything PlanHer keeps about you, as one document."""

    # Describes ``services.user_export``. Each app's section comes from the
    # registry (``core.userdata``), read when the serializer is built, so
    # accounts still imports none of those apps.

    exported_at = serializers.DateTimeField()
    account = ExportAccountSerializer()

    def get_fields(self):
        fields = super().get_fields()
        for section in user_data_sections():
            fields[section.key] = (
                copy.deepcopy(section.schema)
                if section.schema is not None
                else serializers.JSONField(help_text="Not described yet.")
            )
        return fields


class ActivityEventSerializer(serializers.ModelSerializer):
    """A security event of her account."""

    ip = serializers.IPAddressField(
        allow_null=True, help_text="The client's address as PlanHer saw it (null if unknown)."
    )

    class Meta:
        model = ActivityEvent
        fields = ["at", "event", "ip", "user_agent"]


class ActivityExportSerializer(serializers.Serializer):
    """A security event of her account, as exported (oldest first)."""

    # Describes ``activity.activity_export``.

    at = serializers.DateTimeField()
    event = serializers.ChoiceField(choices=ActivityEvent.Event.choices)
    ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)
