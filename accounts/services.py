"""Account workflows that reach into every app's data (through the registry)."""

from django.db import transaction
from django.utils.timezone import now
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.userdata import user_data_sections

from .activity import record_account_deleted


def user_export(*, user) -> dict:
    """Every record the user owns, as one JSON-ready document."""
    document = {
        "exported_at": now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "name": user.name,
            "timezone": user.timezone,
            "date_joined": user.date_joined.isoformat(),
        },
    }
    for section in user_data_sections():
        document[section.key] = section.export(user)
    return document


def user_delete(*, user) -> None:
    """Remove the user and everything she owns, stored files included.

    Rows go by the database cascade in one transaction; files are removed only
    after it commits, so a failed deletion never leaves rows without files.
    """
    with transaction.atomic():
        for section in user_data_sections():
            if section.before_delete is not None:
                cleanup = section.before_delete(user)
                if cleanup is not None:
                    transaction.on_commit(cleanup)
        # simplejwt keeps outstanding tokens with user=NULL after a delete;
        # they identify her, so they go too.
        OutstandingToken.objects.filter(user=user).delete()
        user.delete()  # her activity log goes with her (the cascade)...
        record_account_deleted()  # ...but for this: that an account was deleted, not whose


def user_revoke_refresh_tokens(*, user) -> int:
    """Blacklist every refresh token she holds (after a password change)."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    tokens = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(tokens, ignore_conflicts=True)
    return len(tokens)


def user_set_password(*, user, password: str) -> None:
    """Her new password, and every session from before it ends: the one path
    for a password change and a reset, so both revoke alike."""
    # Both or neither: a new password with her old sessions still alive would
    # defeat the point of changing it.
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        user_revoke_refresh_tokens(user=user)
