"""Her sessions as JWTs: which claims a token carries and what ends it.

A login starts a *chain*: its refresh token, every refresh token rotated from
it, and the access tokens they hand out. Each token carries

- ``token_version``: her counter at issue (``User.token_version``); a password
  change or reset bumps it, so every older token is refused at once;
- ``chain``: the id of its login, the same along every rotation; a chain is
  revoked by writing its id on her row (``User.revoked_chains``);
- ``auth_time``: when that login happened; the chain ends ``SESSION_MAX_DAYS``
  after it, and no token of it expires later.

All three are checked against the user row that authentication loads anyway:
no query per request beyond simplejwt's own.

simplejwt's blacklist keeps each refresh token in ``OutstandingToken.token``;
here that column holds only the chain and a SHA-256 digest, so a reader of the
database cannot replay a token (the blacklist itself needs only the ``jti``).
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.timezone import now
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, TokenError
from rest_framework_simplejwt.utils import datetime_from_epoch

VERSION_CLAIM = "token_version"
CHAIN_CLAIM = "chain"
LOGIN_TIME_CLAIM = "auth_time"


class RefreshTokenReused(TokenError):
    """A refresh token already rotated away or logged out, presented again.

    Raised only after its signature is verified, so ``payload`` is genuine."""

    def __init__(self, payload: dict):
        super().__init__("Token is blacklisted")
        self.payload = payload


def session_end(payload: dict):
    """When the chain of this token ends, or None for a token from before chains."""
    started = payload.get(LOGIN_TIME_CLAIM)
    if started is None:
        return None
    return datetime_from_epoch(started) + timedelta(days=settings.SESSION_MAX_DAYS)


def stored_form(payload: dict, token: str) -> str:
    """What ``OutstandingToken.token`` keeps: the chain and a digest, never the token."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return f"chain:{payload.get(CHAIN_CLAIM, '-')} sha256:{digest}"


def chain_of_stored(stored: str) -> str:
    """The chain id out of ``stored_form``; "" for rows written another way."""
    head = stored.split(" ", 1)[0]
    return head.removeprefix("chain:") if head.startswith("chain:") and head != "chain:-" else ""


def _cap_at_session_end(token) -> None:
    end = session_end(token.payload)
    if end is not None and token["exp"] > int(end.timestamp()):
        token["exp"] = int(end.timestamp())


class SessionAccessToken(AccessToken):
    """An access token; its claims come from the refresh token that made it."""


class SessionRefreshToken(RefreshToken):
    access_token_class = SessionAccessToken

    @classmethod
    def for_user(cls, user):
        # Built by hand rather than through RefreshToken.for_user, which would
        # store the whole token before the chain claims exist.
        token = cls()
        token[api_settings.USER_ID_CLAIM] = str(getattr(user, api_settings.USER_ID_FIELD))
        token[VERSION_CLAIM] = user.token_version
        token.start_chain()
        token.outstand(user=user)
        return token

    def start_chain(self) -> None:
        self[CHAIN_CLAIM] = uuid.uuid4().hex
        self[LOGIN_TIME_CLAIM] = int(self.current_time.timestamp())
        _cap_at_session_end(self)

    def rotate(self, user=None) -> None:
        """Become this token's successor in the same chain (the caller has
        blacklisted this one)."""
        self.set_jti()
        self.set_exp()
        self.set_iat()
        if LOGIN_TIME_CLAIM not in self.payload:
            # A token from before chains: its chain starts now.
            self.start_chain()
            if user is not None:
                self[VERSION_CLAIM] = user.token_version
        _cap_at_session_end(self)
        self.outstand(user)

    @property
    def access_token(self):
        access = super().access_token
        _cap_at_session_end(access)
        return access

    def check_blacklist(self) -> None:
        if BlacklistedToken.objects.filter(
            token__jti=self.payload[api_settings.JTI_CLAIM]
        ).exists():
            raise RefreshTokenReused(self.payload)

    def _outstanding_defaults(self, user=None) -> dict:
        if user is None:
            user_id = self.payload.get(api_settings.USER_ID_CLAIM)
            user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        return {
            "user": user,
            "created_at": now(),
            "token": stored_form(self.payload, str(self)),
            "expires_at": datetime_from_epoch(self["exp"]),
        }

    def outstand(self, user=None):
        return OutstandingToken.objects.get_or_create(
            jti=self[api_settings.JTI_CLAIM], defaults=self._outstanding_defaults(user)
        )

    def blacklist(self, user=None):
        outstanding, _ = self.outstand(user)
        return BlacklistedToken.objects.get_or_create(token=outstanding)
