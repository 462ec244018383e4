"""What a generated client learns of /signs/ from the OpenAPI schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.vocabulary import LH_RESULTS, MUCUS_TYPES
from tests.test_schema_contract import enum_of


@pytest.fixture(scope="module")
def schemas():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def test_a_sign_log_requires_only_its_date(schemas):
    assert schemas["SignRequest"]["required"] == ["date"]
    assert "required" not in schemas["PatchedSignRequest"]


@pytest.mark.parametrize("component", ["Sign", "SignRequest", "SignExport"])
def test_every_sign_may_be_null_and_keeps_to_the_vocabulary(schemas, component):
    properties = schemas[component]["properties"]
    assert enum_of({"components": {"schemas": schemas}}, properties["lh_test"]) == list(LH_RESULTS)
    assert enum_of({"components": {"schemas": schemas}}, properties["cervical_mucus"]) == list(
        MUCUS_TYPES
    )
    temperature = properties["bbt_celsius"]
    assert (temperature["minimum"], temperature["maximum"]) == (34, 40)
    assert all(
        properties[name]["nullable"] for name in ("bbt_celsius", "lh_test", "cervical_mucus")
    )


def test_an_answer_always_carries_every_field_of_the_entry(schemas):
    assert set(schemas["Sign"]["required"]) == set(schemas["Sign"]["properties"])
    assert set(schemas["PaginatedSignList"]["required"]) >= {"count", "next", "previous", "results"}
