"""``core.serializers.FieldsBuiltOnce``: fields built once per class, each
instance with copies of its own."""

from accounts.models import User
from accounts.serializers import UserSerializer


def test_each_instance_has_its_own_fields_bound_to_it():
    first, second = UserSerializer(), UserSerializer()
    assert first.fields["name"] is not second.fields["name"]
    assert first.fields["name"].parent is first
    assert second.fields["name"].parent is second


def test_changing_one_instances_fields_leaves_the_others_alone():
    first = UserSerializer()
    first.fields["name"].read_only = True
    first.fields.pop("timezone")
    second = UserSerializer(User(email="a@example.com", name="Ada", timezone="Europe/Paris"))
    assert second.fields["name"].read_only is False
    assert second.data["timezone"] == "Europe/Paris"
    assert second.data["name"] == "Ada"
