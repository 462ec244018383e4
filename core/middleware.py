"""Middleware of the API's own."""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.middleware import csrf


class NoStoreApiMiddleware:
    """Every answer under ``/api/`` carries ``Cache-Control: no-store``.

    Most of them hold her health data; no browser, proxy or shared cache may
    keep a copy. Errors and throttled answers included, so none slips through.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response


# --- Sessions, CSRF, the logged-in user and messages: for the admin, not the API ---
#
# The API authenticates every request with a bearer token (DRF), never a session
# cookie, and DRF's views are exempt from CSRF: for a path under /api/ these four
# would read and write cookies, look up a session and build a lazy user for
# nothing. Each class below is Django's own, standing aside under /api/; the
# admin and every other page keep the full stack. They are subclasses so that
# the admin's checks (admin.E408-E410) still find them. Authentication and
# throttling under /api/ are DRF's, on every route alike.

API_PREFIX = "/api/"


class SiteOnlyMixin:
    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SiteOnlyMixin, sessions.SessionMiddleware):
    pass


class CsrfViewMiddleware(SiteOnlyMixin, csrf.CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        return super().process_view(request, callback, callback_args, callback_kwargs)


class AuthenticationMiddleware(SiteOnlyMixin, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(SiteOnlyMixin, messages.MessageMiddleware):
    pass
