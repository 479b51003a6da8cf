import pytest

from techmarket.core.choices import ClassificationScheme
from techmarket.core.tests.factories import ClassificationFactory


@pytest.mark.django_db
def test_regions_list_filters_by_level_and_parent(client, regions):
    counties = client.get("/api/v1/regions/", {"level": "county", "parent": regions["city"].code}).json()
    assert [r["code"] for r in counties["results"]] == [regions["county"].code]
    detail = client.get(f"/api/v1/regions/{regions['county'].code}/").json()
    assert detail == {
        "code": regions["county"].code,
        "name": "甲市东县",
        "level": "county",
        "parent": regions["city"].code,
    }


@pytest.mark.django_db
def test_classifications_filter_by_scheme_and_parent(client):
    parent = ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code="Z", name="测试门类")
    ClassificationFactory(scheme=ClassificationScheme.INDUSTRY, code="Z99", name="测试大类", parent=parent)
    response = client.get("/api/v1/classifications/", {"scheme": "industry", "parent": "Z"}).json()
    assert [(c["code"], c["parent"]) for c in response["results"]] == [("Z99", "Z")]
