"""One place that turns exceptions into API answers, so none becomes a 500."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 5


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Model-level validation (full_clean, constraints) reads like a serializer error.
        exc = ValidationError(as_serializer_error(exc))
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is down or restarting: say so, and let clients retry.
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            {"detail": "The service is temporarily unavailable. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    return drf_exception_handler(exc, context)
