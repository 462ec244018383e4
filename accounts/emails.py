"""One normal form for email addresses, used to store them and to find them.

Two spellings of one address (``Ada@Example.com``, fullwidth letters, a
Kelvin sign for a K, a decomposed accent) must be one account; two different
addresses must never be confused by a looser comparison. So the address is
stored in its normal form, the unique constraint is on that stored form, and
every lookup normalises what it is given the same way (``EmailAddressField``):
there is no second comparison (``iexact``, ``UPPER``, ``Lower``) that could
disagree with the first.

The normal form: Unicode NFKC, lower case, and the domain in its IDNA ASCII
form (``xn--…``), which is what mail servers see.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.lookups import Exact

# Characters that show nothing or reorder what is shown: an address holding
# one can look exactly like another person's.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}
INVISIBLE_CHARACTERS = {
    "\u034f",  # combining grapheme joiner
    "\u115f",  # Hangul choseong filler
    "\u1160",  # Hangul jungseong filler
    "\u17b4",  # Khmer vowel inherent aq
    "\u17b5",  # Khmer vowel inherent aa
    "\u2800",  # braille pattern blank
    "\u3164",  # Hangul filler
    "\uffa0",  # halfwidth Hangul filler
}


def is_invisible(character: str) -> bool:
    code = ord(character)
    return (
        unicodedata.category(character) in INVISIBLE_CATEGORIES
        or character in INVISIBLE_CHARACTERS
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF
    )


def invisible_character_message(value: str) -> str | None:
    """Why ``value`` cannot be an address here, or None. The character is named
    by its code point: echoing it would show nothing, or break the answer."""
    for character in value:
        if is_invisible(character):
            return (
                f"Email addresses cannot contain invisible or direction-changing characters "
                f"(this one has U+{ord(character):04X}): type the address again."
            )
    return None


def validate_email_characters(value: str) -> None:
    message = invisible_character_message(value)
    if message is not None:
        raise ValidationError(message, code="invisible_character")


def _normal_text(text: str) -> str:
    # Lower-casing can undo NFKC, and NFKC can make surrounding spaces ("¨"
    # is a space and a combining mark): repeat to a fixed point, so that the
    # normal form of a normal form is itself.
    for _ in range(8):
        lowered = unicodedata.normalize("NFKC", text).lower()
        normal = unicodedata.normalize("NFKC", lowered).strip()
        if normal == text:
            break
        text = normal
    return text


def _normal_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        # Not a valid domain name (an empty or overlong label): such an address
        # is refused by validation; the lookup still compares it one way.
        return domain


def normalize_email(value: str) -> str:
    """The one form in which an address is stored and compared."""
    text = _normal_text(value)
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{_normal_text(_normal_domain(domain))}"


class NormalizedExact(Exact):
    """``email__iexact`` (Django's password reset form uses it) compares the
    normal forms too, instead of the database's ``UPPER``."""

    lookup_name = "iexact"

    def as_sql(self, compiler, connection):
        # Under the name "iexact" the backends would wrap both sides in
        # UPPER() (PostgreSQL) or LIKE (SQLite): compare as ``exact`` does.
        return Exact(self.lhs, self.rhs).as_sql(compiler, connection)


class EmailAddressFormField(forms.EmailField):
    """An address as typed in a form (the admin's), checked for invisible
    characters, then validated and saved in its normal form."""

    def to_python(self, value):
        value = super().to_python(value)
        validate_email_characters(value)
        return normalize_email(value)


class EmailAddressField(models.EmailField):
    """An email stored, and looked up, in its normal form (``normalize_email``)."""

    def to_python(self, value):
        # CharField.get_prep_value calls this too: every save and every
        # lookup (exact, in, iexact) sees the normal form.
        value = super().to_python(value)
        return normalize_email(value) if isinstance(value, str) else value

    def clean(self, value, model_instance):
        # Model validation and createsuperuser validate the normal form, but
        # invisible characters are refused as typed: IDNA drops some of them.
        if isinstance(value, str):
            validate_email_characters(value)
        return super().clean(value, model_instance)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EmailAddressFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = normalize_email(value)
            setattr(model_instance, self.attname, value)
        return value


EmailAddressField.register_lookup(NormalizedExact)
