"""The national code lists of the 技术合同登记表, shipped as data (``contracts/data/*.csv``).

Each list is read once; forms offer :func:`choices`, services and imports check values with
:func:`check`, and pages show :func:`label` in the user's language (Chinese, or the ``name_en`` column).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
LISTS = ("entity_types", "technology_fields", "ip_types", "plan_sources", "non_technical_parts", "countries")


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    name_en: str
    group: str = ""

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name


@functools.cache
def codes(list_name: str) -> dict[str, Code]:
    """Code → entry of one shipped list, in file order."""
    if list_name not in LISTS:
        raise KeyError(list_name)
    with (DATA_DIR / f"{list_name}.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Code(row["code"], row["name"], row["name_en"], row.get("group") or "")
            for row in csv.DictReader(handle)
        }


def choices(list_name: str) -> list[tuple[str, str]]:
    return [(code.code, f"{code.code} {code.label}") for code in codes(list_name).values()]


def label(list_name: str, value: str) -> str:
    entry = codes(list_name).get(value)
    return entry.label if entry else value


def check(list_name: str, value: str) -> str | None:
    """None when ``value`` is on the list, else the reason in the user's language."""
    if value in codes(list_name):
        return None
    return _("“%(value)s”不在代码表中。") % {"value": value}
