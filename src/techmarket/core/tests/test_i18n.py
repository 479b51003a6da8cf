"""The message catalogues are complete, match the code, and switch the interface to English.

See docs/development/translations.md for how to update the catalogues after changing strings.
"""

from __future__ import annotations

import ast
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed

PACKAGE_DIR = Path(settings.LOCALE_PATHS[0]).parent
LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGUES = {language: LOCALE_DIR / language / "LC_MESSAGES" / "django.po" for language in ("en", "zh_Hans")}
# Must match the makemessages command in docs/development/translations.md.
MAKEMESSAGES_OPTIONS = ["--extension=html,txt,py", "--ignore=tests", "--ignore=migrations"]


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po/.pot file (header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, current = Entry(), ""
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.fuzzy = "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if current == "msgstr":
                    entry.msgstrs[-1] += value
                else:
                    setattr(entry, current, getattr(entry, current) + value)
            else:
                keyword, literal = line.split(" ", 1)
                value = ast.literal_eval(literal)
                current = "msgstr" if keyword.startswith("msgstr") else keyword
                if current == "msgstr":
                    entry.msgstrs.append(value)
                else:
                    setattr(entry, current, value)
        if entry.msgid:
            entries.append(entry)
    return entries


@pytest.fixture(scope="session")
def compiled_catalogues() -> None:
    """Build the .mo files a clean checkout lacks (they are git-ignored), then make Django reload them.

    The lock keeps parallel test workers from reading a half-written .mo file."""
    with open(Path(tempfile.gettempdir()) / "techmarket-compilemessages.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("compilemessages", verbosity=0)
    # Translations loaded before the .mo files existed are cached: the signal clears that cache,
    # exactly as overriding LOCALE_PATHS in a test would.
    setting_changed.send(
        sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False
    )


@pytest.fixture(scope="module")
def code_msgids() -> Iterator[set[str]]:
    """The msgids the code marks for translation now: makemessages run on a throw-away copy of the package."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "techmarket"
        shutil.copytree(
            PACKAGE_DIR,
            copy,
            ignore=shutil.ignore_patterns("locale", "static", "var", "__pycache__", "*.pyc"),
        )
        (copy / "locale").mkdir()
        # Without settings makemessages writes to ./locale of the copy, never to the real catalogues.
        environment = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "--locale=en",
                "--keep-pot",
                *MAKEMESSAGES_OPTIONS,
            ],
            cwd=copy,
            env=environment,
            check=True,
            capture_output=True,
        )
        yield {entry.key for entry in read_po(copy / "locale" / "django.pot")}


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    entries = read_po(CATALOGUES[language])
    assert len(entries) > 100
    untranslated = [entry.msgid for entry in entries if not all(entry.msgstrs)]
    fuzzy = [entry.msgid for entry in entries if entry.fuzzy]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy}"


def test_chinese_catalogue_translates_every_string_to_itself():
    changed = [
        entry.msgid
        for entry in read_po(CATALOGUES["zh_Hans"])
        if entry.msgstrs != [entry.msgid] * len(entry.msgstrs)
    ]
    assert changed == []


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_is_well_formed(language):
    """msgfmt --check catches placeholders (%(name)s) that the translation dropped or misspelled."""
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(CATALOGUES[language])],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_holds_every_string_in_the_code(language, code_msgids):
    assert len(code_msgids) > 100
    missing = sorted(code_msgids - {entry.key for entry in read_po(CATALOGUES[language])})
    assert missing == [], f"run makemessages and translate (docs/development/translations.md): {missing}"


@pytest.mark.django_db
@pytest.mark.usefixtures("compiled_catalogues")
class TestInterfaceLanguage:
    def test_pages_are_chinese_by_default(self, client):
        page = client.get("/").content.decode()
        assert "成果库" in page
        assert ">Achievements<" not in page

    def test_the_language_cookie_switches_pages_to_english(self, client):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        home = client.get("/").content.decode()
        assert '<html lang="en">' in home
        assert ">Achievements<" in home
        assert "成果库" not in home
        login = client.get("/accounts/login/").content.decode()
        for label in ("Username", "Password", "Log in", "Forgot your password?"):
            assert label in login
        assert "用户名" not in login

    def test_the_language_switch_remembers_the_choice(self, client):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
        assert response.redirect_chain[-1][0] == "/accounts/login/"
        assert "Forgot your password?" in response.content.decode()
        response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
        assert "成果库" in response.content.decode()

    def test_api_errors_follow_accept_language(self, client):
        english = client.get("/api/v1/achievements/999999/", HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 404
        assert english.json() == {
            "code": "not_found",
            "message": "The record does not exist or you are not allowed to see it.",
            "fields": {},
        }
        chinese = client.get("/api/v1/achievements/999999/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert chinese.status_code == 404
        assert chinese.json()["message"] == "记录不存在或您无权查看。"
