"""The demo's expert pool: forty profiles, a third 科技特派员, demo-expert's own, public links only."""

import io

import pytest
from django.core.management import call_command

from techmarket.core.models import AuditEvent
from techmarket.experts.models import ExpertProfile


@pytest.fixture
def demo_data(db) -> None:
    call_command("demo", "--no-serve", "--achievements", "40", "--organisations", "12", stdout=io.StringIO())


def test_demo_pool(demo_data):
    experts = ExpertProfile.objects.select_related("organisation", "region")
    assert experts.count() == 40
    assert experts.filter(is_commissioner=True).count() == 13
    own = experts.get(user__username="demo-expert")
    assert own.organisation is not None
    assert own.organisation.name == "湖北省先进材料研究院"
    assert own.achievements.exists()
    assert all(a.is_public for e in experts for a in e.achievements.all())
    assert experts.filter(organisation__isnull=True).exclude(organisation_name="").exists()
    assert all(e.region.code.startswith("42") for e in experts)
    assert all(e.keyword_list and e.industry_id and e.discipline_id for e in experts)
    assert AuditEvent.objects.filter(action="experts.expertprofile.create").count() == 40
