from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

DEFAULT_OUT = "docs/api/openapi.yaml"
# The msgids are Chinese; the document is written in them whatever the machine's or the settings'
# language, so that regenerating it never yields a diff of translations alone.
SCHEMA_LANGUAGE = "zh-hans"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/ (docs/api/openapi.yaml), validated; --check compares only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=DEFAULT_OUT)
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail when the file differs from the API instead of writing it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = openapi_document()
        out = Path(options["out"])
        if options["check"]:
            if not out.exists() or out.read_text(encoding="utf-8") != document:
                raise CommandError(f"{out} is out of date: regenerate it with `make schema`.")
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document, encoding="utf-8")
        self.stdout.write(str(out))


def openapi_document() -> str:
    """The API's OpenAPI 3 document as YAML: validated, in one fixed language, the same on every machine.

    Generation and rendering both run under the fixed language: lazy descriptions are only translated
    when the YAML is rendered.
    """
    # drf-spectacular's generator, validator and renderer carry no annotations.
    with translation.override(SCHEMA_LANGUAGE):
        schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        validate_schema(schema)  # type: ignore[no-untyped-call]
        rendered: bytes = OpenApiYamlRenderer().render(schema, renderer_context={})  # type: ignore[no-untyped-call]
    return rendered.decode("utf-8")
