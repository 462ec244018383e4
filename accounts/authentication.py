"""Bearer authentication that also ends sessions (see ``accounts.tokens``).

It runs on every API request, so it reads what it needs once: a token's
signature and claims are verified once per process (``VerifiedTokens``; its
expiry at every use), and her row is read by a statement compiled once
(``core.db.lookup``). Her row itself is read on every request: the password
counter and the ended sessions on it refuse a token at once (README, "Serving
speed").
"""

import threading
import time

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from core.db.lookup import PrimaryKeyLookup

from .tokens import CHAIN_CLAIM, VERSION_CLAIM


def session_refusal(user, payload: dict) -> str | None:
    """Why a token of this user, with these claims, no longer opens her account
    (None: it does). Reads only her row, already loaded."""
    # Tokens from before the counter carry none: they count as version 0.
    if payload.get(VERSION_CLAIM, 0) != user.token_version:
        return "Your password changed since this token was issued; log in again."
    chain = payload.get(CHAIN_CLAIM)
    if chain is not None and user.chain_is_revoked(chain):
        return "This session has ended; log in again."
    return None


class VerifiedTokens:
    """Access tokens whose signature and claims this process has verified, by
    their exact bytes: a token is verified once, not on each of the requests it
    carries in its 15 minutes. Its expiry is checked again at every use (as
    simplejwt checks it, with its leeway), so an expired token is refused just
    the same. At most ``size`` tokens are kept; when full, it starts over."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._tokens = {}
        self._lock = threading.Lock()

    def get(self, raw: bytes):
        token = self._tokens.get(raw)
        if token is None:
            return None
        leeway = api_settings.LEEWAY
        leeway = leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway
        if token.payload["exp"] <= time.time() - leeway:
            with self._lock:
                self._tokens.pop(raw, None)
            return None
        return token

    def add(self, raw: bytes, token) -> None:
        with self._lock:
            if len(self._tokens) >= self.size:
                self._tokens.clear()
            self._tokens[raw] = token


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing tokens of ended sessions."""

    verified = VerifiedTokens()
    users = PrimaryKeyLookup(get_user_model())

    def get_validated_token(self, raw_token):
        token = self.verified.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)
            self.verified.add(raw_token, token)
        return token

    def get_user(self, validated_token):
        # simplejwt's checks, the row read by the compiled lookup.
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        try:
            user = self.users.get(user_id)
        except (self.user_model.DoesNotExist, ValueError, TypeError, OverflowError) as error:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from error
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        refusal = session_refusal(user, validated_token.payload)
        if refusal is not None:
            raise AuthenticationFailed(refusal, code="session_ended")
        return user


class SessionJWTScheme(SimpleJWTScheme):
    """The same bearer scheme in the OpenAPI schema as simplejwt's."""

    target_class = SessionJWTAuthentication
