from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from techmarket.accounts.policies import principal_of
from techmarket.core.api.serializers import CodeNameSerializer
from techmarket.experts import selectors
from techmarket.experts.models import ExpertProfile


class LinkedAchievementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ExpertSerializer(serializers.ModelSerializer):
    """Public fields; phone and e-mail masked unless the caller may see them (experts.policies)."""

    organisation = serializers.CharField(source="organisation_display", read_only=True)
    region = CodeNameSerializer(read_only=True)
    discipline = CodeNameSerializer(read_only=True, allow_null=True)
    industry = CodeNameSerializer(read_only=True, allow_null=True)
    research_keywords = serializers.ListField(
        child=serializers.CharField(), source="keyword_list", read_only=True
    )
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    achievements = serializers.SerializerMethodField()

    class Meta:
        model = ExpertProfile
        fields = [
            "id",
            "name",
            "title",
            "organisation",
            "region",
            "discipline",
            "industry",
            "research_fields",
            "research_keywords",
            "bio",
            "is_commissioner",
            "accepts_push",
            "is_active",
            "phone",
            "email",
            "achievements",
        ]
        read_only_fields = fields

    def _contact(self, expert: ExpertProfile) -> dict[str, str]:
        return selectors.expert_contact(principal_of(self.context["request"].user), expert)

    def get_phone(self, expert: ExpertProfile) -> str:
        return self._contact(expert)["phone"]

    def get_email(self, expert: ExpertProfile) -> str:
        return self._contact(expert)["email"]

    @extend_schema_field(LinkedAchievementSerializer(many=True))
    def get_achievements(self, expert: ExpertProfile) -> list[dict[str, Any]]:
        principal = principal_of(self.context["request"].user)
        return [
            {"id": achievement.pk, "name": achievement.name}
            for achievement in selectors.linked_achievements(principal, expert)
        ]
