"""Serializers every app's API shares: codes of reference data, transition input, match reasons."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from techmarket.core.models import Classification


class CodeNameSerializer(serializers.Serializer[Any]):
    """A region or classification shown by its national code and name."""

    code = serializers.CharField()
    name = serializers.CharField()


class CodeField(serializers.SlugRelatedField[Any]):
    """A record named by its national code. Text with NUL is unknown here: PostgreSQL cannot even
    compare it, so it must not reach the lookup."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ClassificationField(CodeField):
    """A classification of one scheme (industry, discipline) named by its code."""

    def __init__(self, scheme: str, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Classification.objects.filter(scheme=scheme), **kwargs)


class TransitionSerializer(serializers.Serializer[Any]):
    """Input of a workflow transition: the optional reason."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer[Any]):
    """One reason of a match (the engine's or a reviewer's)."""

    kind = serializers.CharField()
    value = serializers.CharField(allow_blank=True)
    weight = serializers.FloatField()
    source = serializers.CharField()  # type: ignore[assignment]  # a reason's "source", not Field.source
