from django.urls import re_path

from . import views


def route(name: str, view, url_name: str):
    """`/auth/<name>` with or without a trailing slash, as the routers' paths are."""
    return re_path(rf"^{name}/?$", view.as_view(), name=url_name)


urlpatterns = [
    route("register", views.RegisterView, "auth-register"),
    route("login", views.LoginView, "auth-login"),
    route("refresh", views.RefreshView, "auth-refresh"),
    route("logout", views.LogoutView, "auth-logout"),
    route("me", views.MeView, "auth-me"),
    route("me/export", views.ExportView, "auth-export"),
    route("me/activity", views.ActivityView, "auth-activity"),
    route("password", views.PasswordView, "auth-password"),
    route("password/reset", views.PasswordResetView, "auth-password-reset"),
    route("password/reset/confirm", views.PasswordResetConfirmView, "auth-password-reset-confirm"),
    route("email/verify", views.EmailVerifyView, "auth-email-verify"),
    route("email/verify/resend", views.EmailVerifyResendView, "auth-email-verify-resend"),
]
