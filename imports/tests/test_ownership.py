"""Her imports are hers: another user's import answers like a missing one, and
her export lists only her own (SECURITY.md, isolation)."""

import pytest

from imports.models import Import
from tests.two_people import API, PEOPLE, snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.ownership.with_args(Import),
]  # with_args: one class would be decorated


def test_another_users_import_is_a_404_like_a_missing_one(two_people, api):
    theirs = Import.objects.get(user=two_people["mallory"]).pk
    missing = Import.objects.order_by("-pk").first().pk + 1000
    before = snapshot(two_people["mallory"])

    answer = api.get(f"{API}/imports/{theirs}/")
    control = api.get(f"{API}/imports/{missing}/")

    assert answer.status_code == 404
    assert (answer.status_code, answer.json()) == (control.status_code, control.json())
    assert snapshot(two_people["mallory"]) == before


def test_her_own_import_answers_her(two_people, api):
    mine = Import.objects.get(user=two_people["alice"]).pk
    answer = api.get(f"{API}/imports/{mine}")
    assert answer.status_code == 200
    assert answer.json()["errors"] == [{"record": "cycle 1", "message": PEOPLE["alice"]["notes"]}]


@pytest.mark.parametrize(("viewer", "stranger"), [("alice", "mallory"), ("mallory", "alice")])
def test_her_export_lists_only_her_own_imports(two_people, client_for, viewer, stranger):
    text = client_for(two_people[viewer]).get(f"{API}/auth/me/export").content.decode()
    assert f"{PEOPLE[viewer]['notes']}.json" in text
    assert PEOPLE[stranger]["notes"] not in text


def test_her_imports_go_with_her_account(two_people, client_for):
    from accounts.tests.factories import PASSWORD

    alice = two_people["alice"]
    response = client_for(alice).delete(f"{API}/auth/me", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert list(Import.objects.values_list("filename", flat=True)) == [
        f"{PEOPLE['mallory']['notes']}.json"
    ]
