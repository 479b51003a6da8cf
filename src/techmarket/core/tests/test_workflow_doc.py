from pathlib import Path

from techmarket.core.management.commands.workflow_doc import workflows_markdown


def test_workflow_documentation_is_generated_from_the_tables():
    """Regenerate with `techmarket workflow-doc` whenever a workflow table changes."""
    document = Path(__file__).resolve().parents[4] / "docs" / "domains" / "workflows.md"
    assert document.read_text(encoding="utf-8") == workflows_markdown()
