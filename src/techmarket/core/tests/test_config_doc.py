from pathlib import Path

from techmarket.core import config


def test_configuration_reference_is_generated_from_the_declarations():
    """docs/configuration.md must be regenerated (techmarket config-doc) whenever an option changes."""
    document = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"
    assert document.read_text(encoding="utf-8") == config.markdown()


def test_options_are_read_with_their_declared_types(monkeypatch):
    monkeypatch.setenv("DEBUG", "yes")
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example")
    monkeypatch.setenv("TECHMARKET_FISCAL_REGISTRATION_DAYS", "30")
    assert config.read("DEBUG") is True
    assert config.read("ALLOWED_HOSTS") == ["a.example", "b.example"]
    assert config.read("TECHMARKET_FISCAL_REGISTRATION_DAYS") == 30
    monkeypatch.delenv("TECHMARKET_FISCAL_REGISTRATION_DAYS")
    assert config.read("TECHMARKET_FISCAL_REGISTRATION_DAYS") == 90
