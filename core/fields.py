"""Text encrypted at rest: what she writes in her own words (a daily log's notes).

``EncryptedTextField`` stores a Fernet token (AES-128-CBC + HMAC-SHA256, from
``cryptography``) instead of the text, under the keys in
``settings.FIELD_ENCRYPTION_KEYS`` (kept outside the database): the first key
encrypts, every key decrypts (``MultiFernet``), so a key can be rotated with
``manage.py reencrypt_fields`` and then dropped. The model, the API and the
export see plain text; the database and its backups see only tokens.

Every value is encrypted, '' included, so a reader of the database cannot tell
a blank note from a short one. Tokens are not deterministic: the database can
neither compare nor search these columns, so lookups on them are refused.

A stored value that no key opens (a key dropped too early, a wrong key) loads
as ``UnreadableText``: its text says so, the token is kept and written back as
it was, so her entry stays usable, she can still delete her account, and the
note comes back once the right key is set again. It is logged as an error.
"""

import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)

UNREADABLE = "[This note cannot be read: the key it was encrypted with is missing.]"

_ciphers: dict[tuple[str, ...], tuple[MultiFernet, Fernet]] = {}


def keys() -> tuple[MultiFernet, Fernet]:
    """(every key, the first key) from ``FIELD_ENCRYPTION_KEYS``."""
    configured = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if configured not in _ciphers:
        if not configured:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS is empty: set at least one Fernet key "
                "(`make run` writes a local one to .env)."
            )
        fernets = []
        for number, key in enumerate(configured, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise ImproperlyConfigured(
                    f"FIELD_ENCRYPTION_KEYS: key {number} is not a Fernet key (32 url-safe "
                    "base64-encoded bytes; make one with `python -c 'from cryptography.fernet "
                    "import Fernet; print(Fernet.generate_key().decode())'`)."
                ) from None
        _ciphers[configured] = (MultiFernet(fernets), fernets[0])
    return _ciphers[configured]


def encrypt(text: str) -> str:
    return keys()[0].encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of ``token``; ``InvalidToken`` when no configured key opens it."""
    return keys()[0].decrypt(token.encode()).decode()


def needs_rotation(token: str) -> bool:
    """True when ``token`` was not encrypted with the first key."""
    try:
        keys()[1].decrypt(token.encode())
    except InvalidToken:
        return True
    return False


class UnreadableText(str):
    """A stored value no configured key decrypts: reads as ``UNREADABLE``,
    saves back as the token it was."""

    token: str

    def __new__(cls, token: str):
        text = super().__new__(cls, UNREADABLE)
        text.token = token
        return text

    def __repr__(self):
        return f"UnreadableText({self.token[:16]}…)"


class EncryptedTextField(models.TextField):
    """A TextField whose value is encrypted at rest (module docstring).
    ``max_length`` applies to the text (forms and serializers check it)."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return decrypt(value)
        except InvalidToken:
            logger.error(
                "%s: a stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS "
                "(was the key that wrote it removed?)",
                self,
            )
            return UnreadableText(value)

    def get_db_prep_save(self, value, connection):
        if isinstance(value, UnreadableText):
            return value.token  # (checked first: the text of the parent is the notice)
        value = super().get_db_prep_save(value, connection)
        return None if value is None else encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        # A token differs at every write: an equality or a search on it would
        # match nothing and say nothing; better refused than silently empty.
        raise FieldError(
            f"{self} is encrypted at rest: the database cannot filter on it ({lookup_name!r})."
        )

    def get_transform(self, lookup_name):
        raise FieldError(f"{self} is encrypted at rest: the database cannot transform it.")
