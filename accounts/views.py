from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.timezone import now
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from core.renderers import CSVRenderer, JSONRenderer
from core.schema import BodyOnDeleteSchema
from core.throttling import AuthRateThrottle

from . import export_csv, mail, serializers, services
from .activity import Event, record_activity
from .models import ActivityEvent
from .throttling import ResetAddressThrottle, VerificationResendThrottle
from .tokens import CHAIN_CLAIM, SessionRefreshToken

AUTH_TAG = ["auth"]


@extend_schema(tags=AUTH_TAG)
class RegisterView(generics.CreateAPIView):
    """Create an account and log it in."""

    serializer_class = serializers.RegisterSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="register",
        summary="Create an account",
        responses={201: serializers.RegisteredSerializer},
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The account and its first tokens together: a failure in between must
        # not leave an account whose retried registration is "email taken".
        with transaction.atomic():
            user = serializer.save()
            mail.queue_verification(user=user)  # sent once the account is committed
            body = {"user": serializers.UserSerializer(user).data, **serializers.tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=AUTH_TAG, responses={200: serializers.TokenPairSerializer, 401: None})
@extend_schema_view(
    post=extend_schema(
        operation_id="login",
        summary="Log in",
        description="Exchange email and password for a token pair. After 10 failed logins "
        "for one address within 15 minutes, from any IP, that address's login answers 429 "
        "with `Retry-After` (seconds) until 15 minutes after the tenth, even with the right "
        "password; other accounts are unaffected.",
    )
)
class LoginView(TokenObtainPairView):
    """Exchange email and password for an access token (15 min) and a refresh token (7 days)."""

    serializer_class = serializers.LoginSerializer
    throttle_classes = [AuthRateThrottle]


@extend_schema(tags=AUTH_TAG, responses={200: serializers.TokenPairSerializer, 401: None})
@extend_schema_view(
    post=extend_schema(operation_id="refreshToken", summary="Refresh the access token")
)
class RefreshView(TokenRefreshView):
    """Exchange a refresh token for a new pair; the old refresh token is revoked."""

    serializer_class = serializers.RefreshSerializer
    throttle_classes = [AuthRateThrottle]


@extend_schema(tags=AUTH_TAG)
class LogoutView(APIView):
    """End this session: its refresh token and the access tokens of its chain."""

    @extend_schema(
        operation_id="logout",
        summary="Log out",
        request=serializers.RefreshTokenSerializer,
        responses={205: OpenApiResponse(description="Logged out."), 400: None},
    )
    def post(self, request):
        serializer = serializers.RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token = SessionRefreshToken(serializer.validated_data["refresh"])
        except TokenError:
            return Response(
                {"refresh": ["This refresh token is invalid or already revoked."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if str(token.get("user_id")) != str(request.user.pk):
            return Response(
                {"refresh": ["This refresh token belongs to another session."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        with transaction.atomic():
            token.blacklist(request.user)
            chain = token.get(CHAIN_CLAIM)
            if chain is not None:
                # Its access tokens end too; the entry is needed only while
                # one of them could still be alive.
                services.chain_revoke(
                    user=request.user,
                    chain=chain,
                    until=now() + jwt_settings.ACCESS_TOKEN_LIFETIME,
                )
        record_activity(request.user, Event.LOGOUT, request)
        return Response(status=status.HTTP_205_RESET_CONTENT)


@extend_schema(tags=AUTH_TAG)
@extend_schema_view(
    get=extend_schema(
        operation_id="getAccount",
        summary="Her account",
        description="Your account: id, email, name, time zone and when you joined.",
    ),
    patch=extend_schema(
        operation_id="updateAccount",
        summary="Change name or time zone",
        description="Change your `name` and `timezone` (an IANA name such as "
        "`Europe/Paris`, which defines your today).",
    ),
)
class MeView(generics.RetrieveUpdateAPIView):
    """Your account. PATCH changes `name` and `timezone`; DELETE removes everything."""

    serializer_class = serializers.UserSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    schema = BodyOnDeleteSchema()  # DELETE takes her password in the body

    def get_object(self):
        return self.request.user

    def get_throttles(self):
        # DELETE checks her password: limited like every other password check.
        if self.request.method == "DELETE":
            return [*super().get_throttles(), AuthRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        operation_id="deleteAccount",
        summary="Delete the account and all its data",
        description="Delete your account and everything PlanHer keeps about you, for good; "
        "your current password confirms it.",
        request=serializers.PasswordConfirmSerializer,
        responses={
            204: OpenApiResponse(description="Account and all its data deleted."),
            400: None,
        },
    )
    def delete(self, request):
        confirm = serializers.PasswordConfirmSerializer(
            data=request.data, context={"request": request}
        )
        confirm.is_valid(raise_exception=True)
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=AUTH_TAG)
class PasswordView(APIView):
    """Change your password; every token issued before, this one included, answers 401."""

    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="changePassword",
        summary="Change the password",
        request=serializers.PasswordChangeSerializer,
        responses={204: OpenApiResponse(description="Password changed."), 400: None},
    )
    def post(self, request):
        serializer = serializers.PasswordChangeSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.user_set_password(
                user=request.user, password=serializer.validated_data["new_password"]
            )
            record_activity(request.user, Event.PASSWORD_CHANGED, request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=AUTH_TAG)
class ExportView(APIView):
    """Everything PlanHer keeps about you, as one JSON document, or your days as CSV."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    csv_columns = export_csv.COLUMNS
    EXPORT_FORMATS = ("json", "csv")

    def perform_content_negotiation(self, request, force=False):
        # DRF reads ?format= to pick a renderer and answers 404 to a name it
        # does not know; a wrong name is her mistake: a 400 that names the choices.
        chosen = request.query_params.get("format")
        if chosen and chosen not in self.EXPORT_FORMATS and not force:
            raise ValidationError({"format": ["Choose json (the default) or csv."]})
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        operation_id="exportAccount",
        summary="Download all her data",
        description="Everything PlanHer keeps about you, as a file to keep "
        "(`Content-Disposition: attachment`). `format=json` (the default): one JSON "
        "document. `format=csv`: one row for each day with data (`date`, `period` yes/no, "
        "`energy_level`, `notes`, `bbt_celsius`, `lh_test`, `cervical_mucus`), oldest first, "
        "for a spreadsheet. Any other `format` is a 400.",
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(EXPORT_FORMATS),
                required=False,
                description="json (the default) or csv.",
            )
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                serializers.ExportDocumentSerializer,
                description="Every record you own, as one JSON document: your account, "
                "profile (null without one), periods and energy logs (oldest first), the "
                "predictions served to you, and your energy model's metadata (null before "
                "the first training).",
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="One row for each day with data, oldest first."
            ),
            400: OpenApiResponse(description="An unknown `format`."),
        },
    )
    def get(self, request):
        record_activity(request.user, Event.EXPORT, request)
        today = request.user.local_today()
        document = services.user_export(user=request.user)
        if request.accepted_renderer.format == "csv":
            body = export_csv.export_days(document, today=today)
            filename = f"planher-days-{today.isoformat()}.csv"
        else:
            body = document
            filename = f"planher-export-{today.isoformat()}.json"
        return Response(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


RESET_REQUESTED = (
    "If an account uses this address, a link to choose a new password is on its way. "
    "It works once, for one hour."
)


@extend_schema(tags=AUTH_TAG)
class PasswordResetView(APIView):
    """Ask for a password reset link by email."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AuthRateThrottle, ResetAddressThrottle]

    @extend_schema(
        operation_id="requestPasswordReset",
        summary="Ask for a password reset link",
        description="Send a link to choose a new password to this address, if an account "
        "uses it. The answer is the same whether or not one does, so it tells nobody who "
        "has an account. The link opens `{FRONTEND_URL}/reset-password?uid=…&token=…` and "
        "works once, for one hour. Limited per client and per address.",
        request=serializers.PasswordResetRequestSerializer,
        responses={202: serializers.AcceptedSerializer, 400: None},
    )
    def post(self, request):
        serializer = serializers.PasswordResetRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The mail job looks her up, not this request: the answer and its time
        # are the same for an address without an account.
        mail.queue_password_reset(email=serializer.validated_data["email"])
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=AUTH_TAG)
class PasswordResetConfirmView(APIView):
    """Choose a new password with the uid and token of a reset link."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="confirmPasswordReset",
        summary="Choose a new password with a reset link",
        description="Set a new password with the `uid` and `token` of the link sent by "
        "email. Every session from before ends, as with a password change. A link that is "
        "invalid, already used or over an hour old is refused with 400; the password rules "
        "of registration apply. The link proves her address, so it also counts as verified.",
        request=serializers.PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Password changed."), 400: None},
    )
    def post(self, request):
        serializer = serializers.PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            # Two confirms with one link: the second waits for the first's row
            # lock, then finds the token spent (it hashes the password).
            user = get_user_model().objects.select_for_update().order_by().get(pk=data["user"].pk)
            if not default_token_generator.check_token(user, data["token"]):
                return Response(
                    {"token": [serializers.RESET_LINK_INVALID]}, status=status.HTTP_400_BAD_REQUEST
                )
            services.user_set_password(user=user, password=data["new_password"])
            record_activity(user, Event.PASSWORD_RESET, request)
            services.user_verify_email(user=user, request=request, detail="by a password reset")
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=AUTH_TAG)
class EmailVerifyView(APIView):
    """Confirm her address with the key of a verification link."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # the link may be opened on a device she is not logged in on
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        operation_id="verifyEmail",
        summary="Confirm the email address",
        description="Mark the address as verified with the `key` of the link sent at "
        "registration (`{FRONTEND_URL}/verify-email?key=…`, valid three days). Using a "
        "link again changes nothing and answers 204; an invalid or expired key is refused "
        "with 400.",
        request=serializers.EmailVerifySerializer,
        responses={204: OpenApiResponse(description="Address verified."), 400: None},
    )
    def post(self, request):
        serializer = serializers.EmailVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_verify_email(user=serializer.validated_data["user"], request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=AUTH_TAG)
class EmailVerifyResendView(APIView):
    """Send the verification link again."""

    def get_throttles(self):
        return [*super().get_throttles(), VerificationResendThrottle()]

    @extend_schema(
        operation_id="resendEmailVerification",
        summary="Send the verification link again",
        description="Email a fresh verification link to your address (nothing is sent once "
        "it is verified). Limited per account.",
        request=None,
        responses={202: serializers.AcceptedSerializer},
    )
    def post(self, request):
        if request.user.email_verified:
            detail = "Your address is already verified."
        else:
            mail.queue_verification(user=request.user)
            detail = f"A new verification link is on its way to {request.user.email}."
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=AUTH_TAG)
@extend_schema_view(
    get=extend_schema(
        operation_id="listActivity",
        summary="Her account's security events",
        description="Security events of your account, newest first: logins and failed "
        "logins, logouts, a refresh token used twice, password changes and resets, email "
        "verification, exports, and staff opening your health data. Never a password or "
        "a token; `ip` is your address as PlanHer saw it.",
    ),
)
class ActivityView(generics.ListAPIView):
    """Your activity log."""

    serializer_class = serializers.ActivityEventSerializer
    queryset = ActivityEvent.objects.none()  # the schema's model; get_queryset has hers

    def get_queryset(self):
        return ActivityEvent.objects.for_user(self.request.user)
