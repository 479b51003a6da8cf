from typing import Any

import factory

from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.models import Classification, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990000 + n:06d}")
    name = factory.Sequence(lambda n: f"测试地区{n}")
    level = RegionLevel.PROVINCE


def region_tree(
    *, province_code: str = "990000", requires_province_review: bool = False
) -> dict[str, Region]:
    """A province with two cities, each with one county: enough to test every review chain."""
    prefix = province_code[:2]
    province = RegionFactory(
        code=province_code,
        name="测试省",
        level=RegionLevel.PROVINCE,
        requires_province_review=requires_province_review,
    )
    if province.requires_province_review != requires_province_review:
        province.requires_province_review = requires_province_review
        province.save(update_fields=["requires_province_review"])
    city = RegionFactory(code=f"{prefix}0100", name="甲市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(code=f"{prefix}0102", name="甲市东县", level=RegionLevel.COUNTY, parent=city)
    other_city = RegionFactory(code=f"{prefix}0200", name="乙市", level=RegionLevel.CITY, parent=province)
    other_county = RegionFactory(
        code=f"{prefix}0202", name="乙市西县", level=RegionLevel.COUNTY, parent=other_city
    )
    return {
        "province": province,
        "city": city,
        "county": county,
        "other_city": other_city,
        "other_county": other_county,
    }


class ClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classification
        django_get_or_create = ("scheme", "code")

    scheme = ClassificationScheme.DISCIPLINE
    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")


def cover_region(organisation: Any, region: Any) -> None:
    """Test data: move ``organisation`` up its region chain until it covers ``region``, so it may file
    records there (an organisation files only in its own region and below it)."""
    if organisation is None or region is None or region.lies_within(organisation.region_id):
        return
    for ancestor in organisation.region.chain():
        if region.lies_within(ancestor.code):
            organisation.region = ancestor
            organisation.save(update_fields=["region"])
            return
