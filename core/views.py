"""Behaviour shared by every viewset that serves one user's own rows."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from .userdata import changes_announced_once, user_data_changed


@contextmanager
def user_write_lock(user, integrity_errors: dict[str, dict] | None = None):
    """One transaction that first locks her user row.

    Concurrent writes of one user queue up behind the lock, so validation that
    looks at her other rows (overlaps, duplicates) sees a settled state. On
    SQLite the lock is a no-op: its IMMEDIATE transactions serialize writers.
    A write that succeeds announces the change once (``core.userdata``: her
    saves announce it too, joined to this one), so derived data such as her
    energy model is refreshed after the commit.
    Should a write still hit a constraint, ``integrity_errors`` maps the
    constraint's name to the 400 answer.
    """
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).values_list(
                "pk", flat=True
            ).get()
            with changes_announced_once():
                yield
                user_data_changed(user)
    except IntegrityError as error:
        for constraint, answer in (integrity_errors or {}).items():
            if constraint in str(error):
                raise ValidationError(answer) from error
        raise


class OwnedModelViewSet(viewsets.ModelViewSet):
    """CRUD over the requesting user's rows, and nobody else's.

    ``get_queryset`` goes through the model's ``for_user``, so another user's
    id answers 404; ``perform_create`` sets the owner. Writes run under
    ``user_write_lock``.
    """

    integrity_errors: dict[str, dict] = {}

    def get_queryset(self):
        return self.queryset.model.objects.for_user(self.request.user)

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)

    def create(self, request, *args, **kwargs):
        with user_write_lock(request.user, self.integrity_errors):
            return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        with user_write_lock(request.user, self.integrity_errors):
            return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with user_write_lock(request.user, self.integrity_errors):
            return super().destroy(request, *args, **kwargs)
