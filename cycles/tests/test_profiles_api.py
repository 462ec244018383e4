import pytest

from cycles.models import Profile

from .factories import ProfileFactory

URL = "/api/v1/profiles/me"
VALID = {
    "height_cm": 165,
    "weight_kg": "60.5",
    "cycle_length": 29,
    "luteal_length": 13,
    "menses_length": 5,
    "unusual_bleeding": False,
    "number_of_peak": 2,
}


def test_it_is_a_404_before_the_first_post(api):
    response = api.get(URL)
    assert response.status_code == 404


def test_post_creates_then_replaces(api, user):
    created = api.post(URL, VALID)
    assert created.status_code == 201, created.data
    assert created.json()["bmi"] == 22.2
    assert created.json()["weight_kg"] == 60.5
    replaced = api.post(URL, {**VALID, "cycle_length": 31})
    assert replaced.status_code == 200
    assert replaced.data["cycle_length"] == 31
    assert Profile.objects.filter(user=user).count() == 1
    assert api.get(URL).data["cycle_length"] == 31


def test_post_replaces_whole_so_omitted_fields_return_to_defaults(api, user):
    api.post(URL, {**VALID, "number_of_peak": 7})
    replaced = api.post(URL, {"cycle_length": 30})
    assert replaced.status_code == 200
    assert replaced.data["number_of_peak"] == 2
    assert replaced.data["height_cm"] is None
    assert replaced.data["bmi"] is None


def test_patch_changes_only_what_it_names(api, user):
    ProfileFactory(user=user)
    response = api.patch(URL, {"weight_kg": 70})
    assert response.status_code == 200
    assert response.json()["weight_kg"] == 70.0
    assert response.data["height_cm"] == 165
    assert response.json()["bmi"] == 25.7


def test_put_and_patch_need_a_profile(api):
    assert api.put(URL, VALID).status_code == 404
    assert api.patch(URL, {"cycle_length": 30}).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("height_cm", 99),
        ("height_cm", 251),
        ("weight_kg", 24.99),
        ("weight_kg", 350.01),
        ("weight_kg", "1e400"),
        ("cycle_length", 14),
        ("cycle_length", 91),
        ("luteal_length", 4),
        ("luteal_length", 26),
        ("menses_length", 0),
        ("menses_length", 16),
        ("number_of_peak", -1),
        ("number_of_peak", 16),
        ("height_cm", 10**30),
        ("height_cm", "tall"),
        ("unusual_bleeding", "maybe"),
        ("cycle_length", [28]),
    ],
)
def test_it_refuses_values_out_of_range(api, user, field, value):
    response = api.post(URL, {**VALID, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Profile.objects.exists()


def test_luteal_and_menses_must_be_shorter_than_the_cycle(api, user):
    response = api.post(
        URL, {**VALID, "cycle_length": 15, "luteal_length": 15, "menses_length": 15}
    )
    assert response.status_code == 400
    assert set(response.data) == {"luteal_length", "menses_length"}


def test_patch_checks_lengths_against_the_stored_cycle(api, user):
    ProfileFactory(user=user, cycle_length=28)
    response = api.patch(URL, {"luteal_length": 25, "cycle_length": 25})
    assert response.status_code == 400
    assert "luteal_length" in response.data


def test_it_ignores_owner_and_unknown_fields(api, user, other_user):
    response = api.post(
        URL, {**VALID, "user": other_user.pk, "id": 999, "bmi": 99, "is_admin": True}
    )
    assert response.status_code == 201
    assert Profile.objects.get().user == user
    assert response.json()["bmi"] == 22.2


def test_a_stranger_never_sees_her_profile(api, other_api, user):
    api.post(URL, VALID)
    assert other_api.get(URL).status_code == 404
    other_api.post(URL, {**VALID, "cycle_length": 40})
    assert api.get(URL).data["cycle_length"] == 29


@pytest.mark.parametrize("body", ["[]", '""', "null", "[1, 2]", '{"weight_kg": {"a": 1}}', "{"])
def test_malformed_bodies_are_a_400(api, body):
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert not Profile.objects.exists()
