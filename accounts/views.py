from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from core.schema import BodyOnDeleteSchema
from core.throttling import AuthRateThrottle

from . import serializers, services
from .activity import Event, record_activity
from .models import ActivityEvent

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
            body = {"user": serializers.UserSerializer(user).data, **serializers.tokens_for(user)}
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=AUTH_TAG, responses={200: serializers.TokenPairSerializer, 401: None})
@extend_schema_view(post=extend_schema(operation_id="login", summary="Log in"))
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
    """Revoke a refresh token for good."""

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
            token = RefreshToken(serializer.validated_data["refresh"])
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
        token.blacklist()
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
    """Change your password; every refresh token you hold is revoked."""

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
        # Both or neither: a new password with her old sessions still alive
        # would defeat the point of changing it.
        with transaction.atomic():
            request.user.set_password(serializer.validated_data["new_password"])
            request.user.save(update_fields=["password"])
            services.user_revoke_refresh_tokens(user=request.user)
            record_activity(request.user, Event.PASSWORD_CHANGED, request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=AUTH_TAG)
class ExportView(APIView):
    """Everything PlanHer keeps about you, as one JSON document."""

    @extend_schema(
        operation_id="exportAccount",
        summary="Download all her data",
        responses={
            200: OpenApiResponse(
                serializers.ExportDocumentSerializer,
                description="Every record you own, as one JSON document: your account, "
                "profile (null without one), periods and energy logs (oldest first), the "
                "predictions served to you, and your energy model's metadata (null before "
                "the first training).",
            )
        },
    )
    def get(self, request):
        record_activity(request.user, Event.EXPORT, request)
        filename = f"planher-export-{request.user.local_today().isoformat()}.json"
        return Response(
            services.user_export(user=request.user),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


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
