# ruff: noqa: RUF001, RUF003 (look-alike characters are the subject here)
"""One normal form for email addresses, wherever one is compared (issue 11).

The contract: emails are compared after Unicode NFKC, lower case and IDNA on
the domain; addresses with invisible or direction-changing characters are
refused with 400. The duplicate check, the unique constraint and every lookup
(login, admin, createsuperuser, Django's password reset form) must agree on
every pair of addresses, so that no pair makes two accounts that a login then
finds both of.
"""

import importlib
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.admin import UserCreationFormByEmail
from accounts.emails import normalize_email

User = get_user_model()
API = "/api/v1"
STRONG = "a-much-better-passphrase-42"
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters and their look-alikes: case pairs, compatibility forms (fullwidth,
# Kelvin sign, ligatures, circled letters), case folding that changes length
# (ß, İ), look-alikes that are other letters (dotless ı, Cyrillic а, Greek ο),
# and composed against decomposed accents.
LOOK_ALIKES = {
    "a": ["a", "A", "ａ", "Ａ", "а", "ª", "ⓐ"],
    "e": ["e", "E", "ｅ", "é", "e\u0301", "É", "E\u0301"],
    "i": ["i", "I", "ı", "İ", "ｉ", "Ｉ", "ⅰ", "і"],
    "k": ["k", "K", "\u212a", "ｋ", "κ"],
    "o": ["o", "O", "ο", "о", "ｏ", "º", "0"],
    "s": ["s", "S", "ſ", "ｓ", "ß", "SS", "ss", "ẞ"],
    "f": ["f", "F", "ﬁ", "ｆ"],
    ".": [".", "。", "．", "｡"],
    "@": ["@", "＠"],
}


def spelling(text: str):
    """A strategy of look-alike spellings of ``text``."""
    parts = [st.sampled_from(LOOK_ALIKES.get(character, [character])) for character in text]
    return st.tuples(*parts).map("".join)


BASES = ["race@ia.com", "kiss@fi.io", "osseo@ia.se", "alice@kask.fi", "ski@eik.io"]
ADDRESS_PAIRS = st.sampled_from(BASES).flatmap(
    lambda base: st.tuples(spelling(base), spelling(base))
)


def register(client, email, password=STRONG):
    cache.clear()  # the auth throttle: each example is a first attempt
    return client.post(
        f"{API}/auth/register",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )


def login(client, email, password=STRONG):
    cache.clear()
    return client.post(
        f"{API}/auth/login",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )


# --- The normal form ---------------------------------------------------------------------


@given(st.one_of(st.emails(), st.text(), ADDRESS_PAIRS.map(lambda pair: pair[0])))
@settings(max_examples=2000)
def test_the_normal_form_of_a_normal_form_is_itself(address):
    assert normalize_email(normalize_email(address)) == normalize_email(address)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("ＡＤＡ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "ada@example.com"),  # fullwidth
        ("\u212aate@example.com", "kate@example.com"),  # Kelvin sign
        ("Zoe\u0301@example.com", "zoé@example.com"),  # decomposed accent
        ("race@ıa.com", "race@xn--a-eka.com"),  # dotless i: another domain
        ("race@İA.com", "race@xn--ia-rub.com"),
        ("hello@straße.de", "hello@strasse.de"),  # IDNA maps ß in a domain
        ("STRASSE@x.de", "strasse@x.de"),
        ("straße@x.de", "straße@x.de"),  # lower case keeps ß in the mailbox
        ("me@xn--a-eka.com", "me@xn--a-eka.com"),
    ],
)
def test_an_address_is_stored_in_its_normal_form(db, typed, stored):
    assert normalize_email(typed) == stored
    assert User.objects.create_user(email=typed, password=STRONG).email == stored
    assert User.objects.get(email=typed).email == stored


# --- The check, the constraint and the lookups agree -------------------------------------


@given(pair=ADDRESS_PAIRS)
@settings(HYPOTHESIS, max_examples=300)
def test_the_duplicate_check_and_the_unique_constraint_agree_on_every_pair(db, pair):
    first, second = pair
    with transaction.atomic():
        User.objects.create_user(email=first, password=STRONG)
        found = User.objects.filter(email=second).exists()
        found_iexact = User.objects.filter(email__iexact=second).exists()
        try:
            with transaction.atomic():
                User.objects.create_user(email=second, password=STRONG)
            refused = False
        except IntegrityError:
            refused = True
        transaction.set_rollback(True)
    assert found == found_iexact == refused == (normalize_email(first) == normalize_email(second))


@given(pair=ADDRESS_PAIRS)
@HYPOTHESIS
def test_registering_two_spellings_makes_one_account_or_two_that_each_log_in(db, pair):
    first, second = pair
    client = APIClient()
    with transaction.atomic():
        first_answer = register(client, first)
        assume(first_answer.status_code == 201)  # a spelling that is not an address at all
        second_answer = register(client, second)
        if normalize_email(first) == normalize_email(second):
            assert second_answer.status_code == 400
            assert second_answer.json() == {
                "email": ["A user with this email address already exists."]
            }
            assert User.objects.count() == 1
        elif second_answer.status_code == 201:
            assert login(client, second).status_code == 200
            assert User.objects.count() == 2
        for typed in pair:
            answer = login(client, typed)
            assert answer.status_code in (200, 400, 401)
        assert login(client, first).status_code == 200
        transaction.set_rollback(True)


def test_two_look_alike_accounts_each_log_in_to_their_own(anon_client, db):
    # race@ıa.com (dotless i) is another address: UPPER() makes it race@IA.COM,
    # which made the old check find both and the login crash.
    for email in ["race@ia.com", "race@ıa.com"]:
        assert register(anon_client, email).status_code == 201
    for email, stored in [("race@ia.com", "race@ia.com"), ("RACE@ıA.COM", "race@xn--a-eka.com")]:
        answer = login(anon_client, email)
        assert answer.status_code == 200
        me = APIClient()
        me.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
        assert me.get(f"{API}/auth/me").json()["email"] == stored


def test_a_login_never_meets_two_accounts_even_if_both_rows_exist(db):
    # Rows written as a concurrent registration could: no lookup may crash.
    for email in ["race@ia.com", "race@ıa.com", "RACE@IA.COM ", "ｒace@ia.com"]:
        try:
            with transaction.atomic():
                User.objects.create_user(email=email, password=STRONG)
        except IntegrityError:
            pass
    assert User.objects.count() == 2
    for email in ["race@ia.com", "Race@IA.com", "race@ıa.com", "RACE@IA.COM"]:
        assert login(APIClient(), email).status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("spellings", "accounts"),
    [
        (["race@ia.com", "race@ıa.com"], 2),
        (["race@ia.com", "RACE@IA.COM", "ｒａｃｅ@ia.com", "race@ia．com"], 1),
    ],
)
def test_simultaneous_registrations_make_one_account_per_normal_form(spellings, accounts):
    barrier = threading.Barrier(len(spellings))
    statuses = [None] * len(spellings)

    def run(index, email):
        try:
            barrier.wait()
            client = APIClient()
            statuses[index] = client.post(
                f"{API}/auth/register",
                json.dumps({"email": email, "password": STRONG}),
                content_type="application/json",
                REMOTE_ADDR=f"192.0.2.{index + 1}",
            ).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(spellings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * accounts + [400] * (len(spellings) - accounts)
    assert User.objects.count() == accounts
    for email in spellings:
        assert login(APIClient(), email).status_code == 200


# --- Invisible and direction-changing characters --------------------------------------------

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",
    "\u200d",
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u200e",  # left-to-right mark
    "\u200f",
    "\u202a",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u2069",
    "\u061c",  # Arabic letter mark
    "\u180e",
    "\u3164",  # Hangul filler
    "\ufe0f",  # variation selector
    "\U000e0041",  # tag letter
    "\x00",
    "\x7f",
    "\u00a0",
]


@given(
    character=st.sampled_from(INVISIBLE),
    where=st.integers(1, len("alice@example.com") - 1),  # surrounding spaces are trimmed
)
@HYPOTHESIS
def test_an_address_with_an_invisible_character_is_refused_with_a_400(db, character, where):
    email = "alice@example.com"
    email = email[:where] + character + email[where:]
    answer = register(APIClient(), email)
    assert answer.status_code == 400
    assert list(answer.json()) == ["email"]
    assert not User.objects.exists()


@pytest.mark.parametrize("character", ["\u200b", "\u202e", "\ufeff"])
def test_the_refusal_names_the_character_by_its_code_point(anon_client, db, character):
    answer = register(anon_client, f"ali{character}ce@example.com")
    [message] = answer.json()["email"]
    assert f"U+{ord(character):04X}" in message
    assert character not in message


@pytest.mark.parametrize("character", ["\u200b", "\u202e"])
def test_a_login_with_an_invisible_character_is_a_400(anon_client, user, character):
    answer = login(anon_client, f"alice{character}@example.com")
    assert answer.status_code == 400
    assert "email" in answer.json()


# --- Every other way in uses the same form ------------------------------------------------------


def test_the_admin_refuses_a_look_alike_of_an_existing_address(user):
    form = UserCreationFormByEmail(
        data={"email": "ＡＬＩＣＥ@Example.com", "password1": STRONG, "password2": STRONG}
    )
    assert not form.is_valid()
    assert form.errors["email"] == ["A user with this email address already exists."]


def test_the_admin_stores_a_new_address_in_its_normal_form(db):
    form = UserCreationFormByEmail(
        data={"email": "Zoe@EXAMPLE.com", "password1": STRONG, "password2": STRONG}
    )
    assert form.is_valid(), form.errors
    assert form.save().email == "zoe@example.com"


def test_createsuperuser_refuses_a_look_alike_of_an_existing_address(user, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", interactive=False, email="ALICE@exampLe.com")
    call_command("createsuperuser", interactive=False, email="Root@Example.com")
    assert User.objects.get(email="root@example.com").is_superuser


def test_createsuperuser_refuses_an_invisible_character(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    with pytest.raises(CommandError):
        call_command("createsuperuser", interactive=False, email="ro\u200bot@example.com")
    assert not User.objects.exists()


def test_the_password_reset_form_finds_her_by_any_spelling_and_nobody_else(user):
    User.objects.create_user(email="alice@exampıe.com", password=STRONG)  # dotless i
    for typed in ["ALICE@EXAMPLE.COM", "ａｌｉｃｅ@example.com"]:
        assert [found.pk for found in PasswordResetForm().get_users(typed)] == [user.pk]


# --- The data migration ------------------------------------------------------------------------


def write_raw_email(pk, email):
    # Around the field's normalisation, as rows written before it were stored.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET email = %s WHERE id = %s", [email, pk])


def test_the_migration_stores_existing_addresses_in_their_normal_form(db, capsys):
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0004_store_emails_in_normal_form")
    rows = {}
    for raw in ["Ada@Example.COM", "ＢＥＡ@example.com", "STRASSE@x.de", "strasse@X.de", "c@x.de"]:
        user = User.objects.create_user(email=f"placeholder{len(rows)}@x.de")
        write_raw_email(user.pk, raw)
        rows[raw] = user.pk

    migration.store_normal_forms(apps, None)

    stored = dict(User.objects.values_list("pk", "email"))
    assert stored[rows["Ada@Example.COM"]] == "ada@example.com"
    assert stored[rows["ＢＥＡ@example.com"]] == "bea@example.com"
    assert stored[rows["c@x.de"]] == "c@x.de"
    # Two rows with one normal form: the oldest takes it; the other is left
    # as it was and named for the staff.
    assert stored[rows["STRASSE@x.de"]] == "strasse@x.de"
    assert stored[rows["strasse@X.de"]] == "strasse@X.de"
    assert "shares 'strasse@x.de'" in capsys.readouterr().out
    assert User.objects.get(email="Ada@example.com").pk == rows["Ada@Example.COM"]
