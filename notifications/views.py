"""Her notifications, her preferences, her push subscriptions and her calendar feed.

Two answers are not JSON and not in the OpenAPI schema: the calendar feed itself
(``text/calendar``, for calendar apps, no Authorization header: the URL's token
is the key) and the unsubscribe page an email links to (HTML, no login: a signed
token).
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.timezone import now
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, throttling, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from . import delivery
from . import serializers as s
from .dispatch import zone_of
from .export import preferences_for
from .feed import calendar_for
from .models import CalendarFeed, Notification, PushSubscription, token_digest


@extend_schema_view(
    list=extend_schema(
        operation_id="listNotifications",
        summary="Her notifications, newest first",
        description="Every reminder and alert PlanHer sent her (also by email or push when "
        "she asked for them), newest first, paginated. `read_at` is null until she marks one "
        "read.",
    ),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self):
        return Notification.objects.for_user(self.request.user)

    @extend_schema(
        operation_id="markNotificationRead",
        summary="Mark one notification read",
        description="Sets `read_at` to now (kept as it is when already read). Another user's "
        "notification answers 404.",
        request=None,
        responses={204: OpenApiResponse(description="Marked read.")},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=now())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["notifications"])
class NotificationPreferencesView(generics.GenericAPIView):
    serializer_class = s.NotificationPreferencesSerializer

    @extend_schema(
        operation_id="getNotificationPreferences",
        summary="What she wants to be reminded of, and where",
        description="Her reminder settings: period due N days before (from 09:00 her time), "
        "the daily log reminder time, late period, fertile window, weekly summary, alerts, "
        "and the channels (email to a verified address, Web Push). Defaults apply until she "
        "changes them.",
    )
    def get(self, request):
        return Response(self.get_serializer(preferences_for(request.user)).data)

    @extend_schema(
        operation_id="updateNotificationPreferences",
        summary="Change some of her reminder settings",
        description="Sets the fields sent and keeps the others. Times are her local "
        '`"HH:MM"`; `period_due_days_before` is 0 to 7 or null (off). The next reminders '
        "follow the new settings at once.",
    )
    def patch(self, request):
        with transaction.atomic():
            preferences = preferences_for(request.user)
            serializer = self.get_serializer(preferences, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            preferences = serializer.save()
            preferences.schedule_after(now(), zone_of(request.user))
            preferences.save(update_fields=["next_check_at"])
        return Response(serializer.data)


@extend_schema(tags=["notifications"])
class PushSubscriptionView(generics.GenericAPIView):
    serializer_class = s.PushSubscriptionSerializer

    @extend_schema(
        operation_id="createPushSubscription",
        summary="Subscribe this browser to Web Push",
        description="Stores the browser's push subscription (`endpoint`, `keys.p256dh`, "
        "`keys.auth`, as PushSubscription.toJSON() gives them; the endpoint must be https) "
        "and answers 201. Turn `push` on in her preferences to receive reminders there. "
        "Answers 409 when this server has no VAPID keys (Web Push is not set up). A "
        "subscription the push service later reports gone is removed.",
        responses={
            201: s.PushSubscriptionSerializer,
            409: OpenApiResponse(description="Web Push is not set up on this server."),
        },
    )
    def post(self, request):
        if not delivery.push_configured():
            return Response(
                {"detail": "Web Push is not set up on this server (no VAPID keys)."},
                status=status.HTTP_409_CONFLICT,
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            # An endpoint is one browser: whoever subscribes it now receives there.
            PushSubscription.objects.filter(endpoint=data["endpoint"]).exclude(
                user=request.user
            ).delete()
            PushSubscription.objects.update_or_create(
                user=request.user,
                endpoint=data["endpoint"],
                defaults={"p256dh": data["keys"]["p256dh"], "auth": data["keys"]["auth"]},
            )
        return Response(serializer.data, status=status.HTTP_201_CREATED)


def feed_url(request, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("calendar-feed-ics", kwargs={"token": feed.secret}))


@extend_schema(tags=["calendar"])
class CalendarFeedView(APIView):
    serializer_class = s.CalendarFeedSerializer

    @extend_schema(
        operation_id="getCalendarFeed",
        summary="Her private calendar subscription URL",
        description="An absolute URL (made on the first call, the same afterwards) that a "
        "calendar app subscribes to without logging in: her predicted periods (with their "
        "80% range) and fertile windows for the next six months as all-day events. Anyone "
        "with the URL can read it: rotate it if it leaked.",
        responses=s.CalendarFeedSerializer,
    )
    def get(self, request):
        feed = CalendarFeed.objects.filter(user=request.user).first()
        if feed is None:
            feed = CalendarFeed(user=request.user)
            feed.new_token()
            try:
                with transaction.atomic():
                    feed.save()
            except IntegrityError:  # made by a concurrent first call
                feed = CalendarFeed.objects.get(user=request.user)
        return Response({"url": feed_url(request, feed)})


@extend_schema(tags=["calendar"])
class CalendarFeedRotateView(APIView):
    serializer_class = s.CalendarFeedSerializer

    @extend_schema(
        operation_id="rotateCalendarFeed",
        summary="Replace her calendar URL with a new one",
        description="Makes a new private URL and answers it; the old one answers 404 from "
        "now on (calendar apps subscribed to it must subscribe again).",
        request=None,
        responses=s.CalendarFeedSerializer,
    )
    def post(self, request):
        with transaction.atomic():
            feed = CalendarFeed.objects.select_for_update().filter(user=request.user).first()
            feed = feed or CalendarFeed(user=request.user)
            if feed.pk:
                feed.rotated_at = now()
            feed.new_token()
            feed.save()
        return Response({"url": feed_url(request, feed)})


class IgnoreAccept(BaseContentNegotiation):
    """Calendar apps send any Accept header: the feed is always the feed."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FeedRateThrottle(throttling.SimpleRateThrottle):
    """``THROTTLE_FEED_RATE`` per client IP: calendar apps poll every few hours."""

    scope = "calendar_feed"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@extend_schema(exclude=True)
class CalendarFeedIcsView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [FeedRateThrottle]
    content_negotiation_class = IgnoreAccept

    def get(self, request, token: str):
        feed = (
            CalendarFeed.objects.filter(token_hash=token_digest(token))
            .select_related("user")
            .first()
        )
        if feed is None or not feed.user.is_active:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        body = calendar_for(feed.user, today=feed.user.local_today())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="planher.ics"'
        return response


@method_decorator(csrf_exempt, name="dispatch")  # mail clients' one-click POST carries no token
class UnsubscribeView(View):
    """GET: a page that asks; POST (her click, or RFC 8058 one-click): email off."""

    def get(self, request, token):
        user = delivery.user_from_unsubscribe_token(token)
        if user is None:
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        return render(request, "notifications/unsubscribe_confirm.html", {"user": user})

    def post(self, request, token):
        user = delivery.user_from_unsubscribe_token(token)
        if user is None:
            return render(request, "notifications/unsubscribe_invalid.html", status=404)
        preferences = preferences_for(user)
        if preferences.email:
            preferences.email = False
            preferences.save(update_fields=["email", "updated_at"])
        return render(
            request,
            "notifications/unsubscribe_done.html",
            {"user": user, "app_url": settings.FRONTEND_URL},
        )
