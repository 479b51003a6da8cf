from pathlib import Path

from django.utils import translation

from techmarket.core.management.commands.openapi_schema import openapi_document

DOCUMENT = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.yaml"


def test_the_committed_openapi_document_matches_the_api():
    """An API change must come with its document: regenerate it with `make schema`."""
    committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    assert committed == openapi_document(), (
        "docs/api/openapi.yaml is out of date: regenerate it with `make schema` "
        "(techmarket openapi-schema) and commit it"
    )


def test_the_document_does_not_depend_on_the_active_language():
    with translation.override("en"):
        english_session = openapi_document()
    assert english_session == openapi_document()
    assert "description: 学科代码" in english_session
