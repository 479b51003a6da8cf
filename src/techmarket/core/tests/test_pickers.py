"""Cascading pickers: the next level from small endpoints, and the field's cleaning."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from techmarket.core import pickers

pytestmark = pytest.mark.django_db


def test_a_province_loads_its_cities_as_a_labelled_select(client: Client, regions):
    response = client.get(
        reverse("core:region_children"),
        {"field": "region", "region": regions["province"].code, "label": "地区"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="region"' in page
    assert 'aria-label="地区：市级"' in page
    assert f'<option value="{regions["city"].code}">甲市</option>' in page
    assert regions["county"].code not in page  # one level at a time


@pytest.mark.parametrize("value", ["", "武汉", "999999", "x" * 500, "' OR 1=1"])
def test_a_leaf_an_unknown_or_a_bad_code_answers_nothing(client: Client, regions, value):
    response = client.get(reverse("core:region_children"), {"field": "region", "region": value})
    assert response.status_code == 200
    assert response.content == b""
    leaf = client.get(reverse("core:region_children"), {"field": "region", "region": regions["county"].code})
    assert leaf.content == b""


def test_classification_levels_and_unknown_schemes(client: Client):
    response = client.get(
        reverse("core:classification_children", args=["industry"]), {"field": "industry", "industry": "C"}
    )
    page = response.content.decode()
    assert '<option value="39">计算机、通信和其他电子设备制造业</option>' in page
    assert 'name="industry"' in page
    assert client.get(reverse("core:classification_children", args=["secret"])).status_code == 404
    # A field name that is not a plain identifier falls back to the scheme's own.
    odd = client.get(
        reverse("core:classification_children", args=["industry"]), {"field": '"><x', "industry": "C"}
    )
    assert 'name="industry"' in odd.content.decode()


def test_the_field_takes_the_deepest_consistent_level(regions):
    field = pickers.CodePickerField("region", label="地区")
    widget = field.widget

    def clean(*values: str) -> str:
        data = QueryDict(mutable=True)
        data.setlist("region", list(values))
        return field.clean(widget.value_from_datadict(data, {}, "region"))

    assert clean() == ""
    assert (
        clean(regions["province"].code, regions["city"].code, regions["county"].code)
        == regions["county"].code
    )
    assert clean(regions["province"].code, regions["other_city"].code, regions["county"].code) == (
        regions["other_city"].code
    )
    assert clean(regions["county"].code) == regions["county"].code  # the API sends one code
    for bad in ("武汉", "123456"):
        with pytest.raises(Exception, match="代码"):
            clean(bad)


def test_the_picker_renders_the_chosen_chain(regions):
    html = pickers.CodePicker("region").render("region", [regions["city"].code], {"aria-label": "地区"})
    assert f'<option value="{regions["province"].code}" selected>' in html
    assert f'<option value="{regions["city"].code}" selected>' in html
    assert f'<option value="{regions["county"].code}">' in html  # the next level, nothing chosen
    assert html.count("<select") == 3


def test_a_form_picker_asks_to_choose_where_a_filter_says_any(client: Client, regions):
    """A filter's empty option means 不限; a form's (choose=True) asks for a choice, on every level."""
    filter_html = pickers.CodePicker("region").render("region", "", {"aria-label": "地区"})
    form_html = pickers.CodePicker("region", choose=True).render("region", "", {"aria-label": "所属地区"})
    assert "不限" in filter_html
    assert "请选择" not in filter_html
    assert "请选择" in form_html
    assert '"choose": "1"' in form_html
    level = client.get(
        reverse("core:region_children"),
        {"field": "region", "region": regions["province"].code, "label": "所属地区", "choose": "1"},
    ).content.decode()
    assert "请选择" in level
    assert '"choose": "1"' in level
