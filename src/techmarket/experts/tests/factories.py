"""Expert profiles for tests, created through the service as a platform administrator would."""

from __future__ import annotations

from typing import Any

from techmarket.accounts.choices import Role
from techmarket.accounts.models import User
from techmarket.accounts.tests.factories import user_with_role
from techmarket.core.models import Region
from techmarket.experts import services
from techmarket.experts.models import ExpertProfile


def platform_admin() -> User:
    return user_with_role(Role.PLATFORM_ADMIN)


def expert(region: Region, *, actor: User | None = None, **fields: Any) -> ExpertProfile:
    values: dict[str, Any] = {
        "name": "李明",
        "title": "教授",
        "region": region,
        "organisation_name": "测试大学",
        "research_fields": "功能材料与器件",
        "research_keywords": "石墨烯、导热膜，复合材料",
        "bio": "长期从事碳基功能材料研究。",
        "phone": "13912345678",
        "email": "liming@example.org",
    }
    values.update(fields)
    return services.expert_create(actor or platform_admin(), **values)
