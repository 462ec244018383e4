"""Bearer authentication that also ends sessions (see ``accounts.tokens``)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

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


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing tokens of ended sessions."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        refusal = session_refusal(user, validated_token.payload)
        if refusal is not None:
            raise AuthenticationFailed(refusal, code="session_ended")
        return user


class SessionJWTScheme(SimpleJWTScheme):
    """The same bearer scheme in the OpenAPI schema as simplejwt's."""

    target_class = SessionJWTAuthentication
