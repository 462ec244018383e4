"""One place that turns exceptions into API answers, so none becomes a 500."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    ParseError,
    ValidationError,
)
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5
NOT_AUTHENTICATED = "Send your access token as `Authorization: Bearer <access>` (from /auth/login)."


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Model-level validation (full_clean, constraints) reads like a serializer error.
        exc = ValidationError(as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 in DRF's shape, not Django's HTML page.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        exc = ParseError(f"The request body is too large: at most {limit} KB is accepted.")
    if isinstance(exc, Http404):
        # get_object_or_404 names the model ("No DailyMood matches the given
        # query."): one plain answer for every resource, missing or not hers.
        exc = NotFound()
    if isinstance(exc, UnicodeError):
        # Text that cannot be encoded or decoded (a lone surrogate in a header,
        # bytes that are not UTF-8) only ever comes from the request.
        exc = ParseError("The request holds text that is not valid Unicode: send UTF-8.")
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down or restarting: say so, and let clients retry.
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            {"detail": "The service is temporarily unavailable. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, NotAuthenticated):
        # DRF's "credentials were not provided" also answers a token sent with
        # another scheme (`Token ...`, or no scheme): say what to send.
        exc = NotAuthenticated(NOT_AUTHENTICATED)
    response = drf_exception_handler(exc, context)
    # Every 401 carries a stable `code` beside `detail` (simplejwt's token errors
    # already do), so a client branches on one shape: e.g. `session_ended`,
    # `token_reused`, `not_authenticated`.
    unauthenticated = isinstance(exc, AuthenticationFailed | NotAuthenticated)
    if unauthenticated and response is not None and isinstance(response.data, dict):
        codes = exc.get_codes()
        if isinstance(codes, str):
            response.data.setdefault("code", codes)
    return response


@csrf_exempt  # an API client sends no CSRF token: a write to a wrong path is a 404 too
def api_not_found(request, *args, **kwargs):
    """The last route under ``/api/``: no route matched. JSON whatever ``DEBUG``
    says (``handler404`` only serves when it is off, so a frontend developer on
    ``make run`` would otherwise get Django's HTML debug page)."""
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)


def not_found(request, exception):
    """``handler404``: a URL no route matches (``/periods/0.5/``, a typo) answers
    JSON under ``/api/``, like every other API answer, instead of an HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
