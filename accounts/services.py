"""Account workflows that reach into every app's data (through the registry)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils.timezone import now
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from core.userdata import user_data_sections

from .activity import Event, record_account_deleted, record_activity


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


def chain_revoke(*, user, chain: str, until: datetime) -> None:
    """End one session (a chain of refresh tokens and their access tokens) of
    hers; her other sessions go on. ``until``: when its last token would have
    expired anyway, after which the entry is pruned."""
    with transaction.atomic():
        # Locked, so two revocations at once both land.
        row = get_user_model().objects.select_for_update().only("revoked_chains").get(pk=user.pk)
        current = now().timestamp()
        chains = {key: end for key, end in row.revoked_chains.items() if end > current}
        chains[chain] = max(int(until.timestamp()), chains.get(chain, 0))
        get_user_model().objects.filter(pk=user.pk).update(revoked_chains=chains)
        user.revoked_chains = chains
        outstanding = OutstandingToken.objects.filter(
            user=user, token__startswith=f"chain:{chain} ", blacklistedtoken__isnull=True
        )
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )


def user_revoke_refresh_tokens(*, user) -> int:
    """Blacklist every refresh token she holds (after a password change)."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    tokens = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(tokens, ignore_conflicts=True)
    return len(tokens)


def user_set_password(*, user, password: str) -> None:
    """Her new password, and every session from before it ends: each access and
    refresh token issued before answers 401 from now on. The one path for a
    password change and a reset, so both revoke alike (the caller validates the
    password and records the event)."""
    # Both or neither: a new password with her old sessions still alive would
    # defeat the point of changing it.
    with transaction.atomic():
        user.set_password(password)
        user.token_version = F("token_version") + 1
        user.save(update_fields=["password", "token_version"])
        user.refresh_from_db(fields=["token_version"])
        # Not needed for the 401 (the counter does it), but the blacklist then
        # says which refresh tokens are dead.
        user_revoke_refresh_tokens(user=user)


def user_verify_email(*, user, request=None, detail: str = "") -> bool:
    """Mark her address verified; True (and one ``email_verified`` event) only
    the first time, however often a link is opened or a reset proves it."""
    verified = (
        get_user_model()
        .objects.filter(pk=user.pk, email_verified=False)
        .update(email_verified=True)
    )
    if verified:
        user.email_verified = True
        record_activity(user, Event.EMAIL_VERIFIED, request, detail=detail)
    return bool(verified)
