from django.urls import path

from . import views

notifications = views.NotificationViewSet

urlpatterns = [
    path("notifications/", notifications.as_view({"get": "list"}), name="notifications"),
    path(
        "notifications/<int:pk>/read",
        notifications.as_view({"post": "read"}),
        name="notification-read",
    ),
    path(
        "notifications/preferences",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/push-subscriptions",
        views.PushSubscriptionView.as_view(),
        name="push-subscriptions",
    ),
    path(
        "notifications/unsubscribe/<str:token>",
        views.UnsubscribeView.as_view(),
        name="notifications-unsubscribe",
    ),
    path("calendar/feed", views.CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar/feed/rotate", views.CalendarFeedRotateView.as_view(), name="calendar-feed-rotate"
    ),
    path(
        "calendar/feed/<str:token>.ics",
        views.CalendarFeedIcsView.as_view(),
        name="calendar-feed-ics",
    ),
]
