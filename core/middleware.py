"""Middleware of the API's own."""

from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages


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


# --- The session user and messages: for the admin, not the API -------------------
#
# The API authenticates every request with a bearer token (DRF), never a session:
# for a path under /api/ these two would make a lazy session user and a message
# store (cookie and session backends) for nothing. Each class below is Django's
# own, standing aside under /api/; the admin and every other page keep the full
# stack. They are subclasses so that the admin's checks (admin.E408, E409) still
# find them. Sessions and CSRF stay Django's own middleware, on every path:
# Django's deploy checks (security.W003, W010-W017) look for them by name, and
# under /api/ they cost a lazy session store never opened, a cookie read and two
# early returns (DRF's views are CSRF-exempt). Authentication and throttling
# under /api/ are DRF's, on every route alike.

API_PREFIX = "/api/"


class SiteOnlyMixin:
    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class AuthenticationMiddleware(SiteOnlyMixin, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(SiteOnlyMixin, messages.MessageMiddleware):
    pass
