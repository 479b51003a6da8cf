"""Turning one row of cell texts into the registration form's data, with a message per bad cell.

Code-list cells take the Chinese label, the label in the current language or the code; code tables
(classifications, regions) are looked up once per import and cached on the converter.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from techmarket.achievements.choices import PatentStatus, PatentType, PersonRole, TransferMode
from techmarket.achievements.imports.columns import COLUMN_BY_FIELD, COLUMNS, choice_labels, match_key
from techmarket.core.choices import ClassificationScheme
from techmarket.core.models import Classification, Region

LIST_SEPARATORS = re.compile(r"[；;\n]+")
MODE_SEPARATORS = re.compile(r"[、,，；;/\s]+")
PART_SEPARATORS = re.compile(r"[，,|]")
DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
YES = frozenset({"是", "y", "yes", "true", "1", "面议"})
NO = frozenset({"", "否", "n", "no", "false", "0"})


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code-list cell text → code: the Chinese label, the label in the current language, or the code."""
    lookup = {match_key(value): value for value in choices.values}
    for language in ("zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            lookup.update({match_key(str(label)): value for value, label in choices.choices})
    return lookup


class RowConverter:
    """Turns one row of cell texts into the registration form's data, caching code-table lookups."""

    def __init__(self) -> None:
        self.lookups = {
            column.field: _choice_lookup(column.choices) for column in COLUMNS if column.choices is not None
        }
        self.person_roles = _choice_lookup(PersonRole)
        self.ip_types = _choice_lookup(PatentType)
        self.ip_statuses = _choice_lookup(PatentStatus)
        self.classifications: dict[tuple[str, str], Classification | None] = {}
        self.regions: dict[str, Region | None] = {}

    def convert(self, row: dict[str, str]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}

        def fail(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        for name in (
            "name",
            "keywords",
            "abstract",
            "technical_indicators",
            "innovation_points",
            "application_prospects",
            "programme_name",
            "project_number",
        ):
            data[name] = row.get(name, "")
        for name in ("achievement_type", "funding_source", "evaluation_form", "attribute"):
            data[name] = self._choice(name, row.get(name, ""), fail)
        data["confidentiality"] = self._choice("confidentiality", row.get("confidentiality", ""), fail)
        data["discipline"] = self._classification(
            ClassificationScheme.DISCIPLINE, row.get("discipline", ""), "discipline", fail
        )
        data["industry"] = self._classification(
            ClassificationScheme.INDUSTRY, row.get("industry", ""), "industry", fail
        )
        data["region"] = self._region(row.get("region", ""), fail)
        data["evaluation_date"] = self._date(row.get("evaluation_date", ""), "evaluation_date", fail)
        data["completion_date"] = self._date(row.get("completion_date", ""), "completion_date", fail)
        data["trl"] = self._trl(row.get("trl", ""), fail)
        data["transfer_modes"] = self._transfer_modes(row.get("transfer_modes", ""), fail)
        self._price(row.get("price_negotiable", ""), row.get("reference_price", ""), data, fail)
        data["organisations"] = self._organisations(row.get("organisations", ""), fail)
        data["persons"] = self._persons(row.get("persons", ""), fail)
        data["ip_rights"] = self._ip_rights(row.get("ip_rights", ""), fail)
        return data, errors

    def _choice(self, name: str, text: str, fail: Callable[[str, str], None]) -> str:
        if not text:
            return ""
        value = self.lookups[name].get(match_key(text))
        if value is None:
            fail(
                name,
                _("“%(text)s”不是有效的值，可填：%(allowed)s。")
                % {"text": text, "allowed": "、".join(choice_labels(COLUMN_BY_FIELD[name].choices))},  # type: ignore[arg-type]
            )
            return ""
        return value

    def _classification(
        self, scheme: str, code: str, name: str, fail: Callable[[str, str], None]
    ) -> Classification | None:
        if not code:
            return None
        code = code.split()[0]  # the export's 学科分类/行业分类 write "code name"
        key = (scheme, code.upper() if scheme == ClassificationScheme.INDUSTRY else code)
        if key not in self.classifications:
            self.classifications[key] = Classification.objects.filter(scheme=key[0], code=key[1]).first()
        found = self.classifications[key]
        if found is None:
            fail(name, _("代码“%(code)s”不存在。") % {"code": code})
        return found

    def _region(self, code: str, fail: Callable[[str, str], None]) -> Region | None:
        if not code:
            return None
        if code not in self.regions:
            self.regions[code] = (
                Region.objects.select_related("parent", "parent__parent").filter(code=code).first()
            )
        found = self.regions[code]
        if found is None:
            fail("region", _("行政区划代码“%(code)s”不存在。") % {"code": code})
        return found

    @staticmethod
    def _date(text: str, name: str, fail: Callable[[str, str], None]) -> datetime.date | None:
        if not text:
            return None
        match = DATE_PATTERN.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        try:
            if match is None:
                raise ValueError(text)
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            fail(name, _("日期“%(text)s”无效，格式应为 YYYY-MM-DD。") % {"text": text})
            return None

    @staticmethod
    def _trl(text: str, fail: Callable[[str, str], None]) -> int | None:
        if not text:
            return None
        try:
            number: float | None = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not 1 <= number <= 9:
            fail("trl", _("应为 1–9 的整数。"))
            return None
        return int(number)

    def _transfer_modes(self, text: str, fail: Callable[[str, str], None]) -> list[str]:
        modes = []
        for part in MODE_SEPARATORS.split(text):
            if not part:
                continue
            value = self.lookups["transfer_modes"].get(match_key(part))
            if value is None:
                fail(
                    "transfer_modes",
                    _("“%(text)s”不是有效的转化方式，可填：%(allowed)s。")
                    % {"text": part, "allowed": "、".join(choice_labels(TransferMode))},
                )
            elif value not in modes:
                modes.append(value)
        return modes

    @staticmethod
    def _price(negotiable: str, price: str, data: dict[str, Any], fail: Callable[[str, str], None]) -> None:
        flag = match_key(negotiable)
        if flag not in YES | NO:
            fail("price_negotiable", _("请填“是”或“否”。"))
        data["price_negotiable"] = flag in YES or match_key(price) == "面议"
        data["reference_price"] = None
        if price and not data["price_negotiable"]:
            try:
                value = Decimal(price.replace(",", "").replace("，", ""))
            except InvalidOperation:
                fail("reference_price", _("“%(text)s”不是有效的金额。") % {"text": price})
            else:
                if not value.is_finite():
                    fail("reference_price", _("“%(text)s”不是有效的金额。") % {"text": price})
                else:
                    data["reference_price"] = value

    @staticmethod
    def _organisations(text: str, fail: Callable[[str, str], None]) -> list[str]:
        names = [name.strip() for name in LIST_SEPARATORS.split(text) if name.strip()]
        if any(len(name) > 200 for name in names):
            fail("organisations", _("单位名称不能超过200字。"))
        return names

    def _persons(self, text: str, fail: Callable[[str, str], None]) -> list[dict[str, str]]:
        persons = []
        for number, entry in enumerate(_entries(text), start=1):
            parts = [*(part.strip() for part in PART_SEPARATORS.split(entry)), "", "", ""]
            role: str = PersonRole.LEADER if number == 1 else PersonRole.MAIN
            if parts[3]:
                found = self.person_roles.get(match_key(parts[3]))
                if found is None:
                    fail("persons", _("“%(text)s”不是有效的角色。") % {"text": parts[3]})
                else:
                    role = found
            if len(parts[0]) > 64 or len(parts[1]) > 200 or len(parts[2]) > 64:
                fail("persons", _("第%(n)d位完成人的信息过长。") % {"n": number})
            persons.append({"name": parts[0], "organisation_name": parts[1], "title": parts[2], "role": role})
        return persons

    def _ip_rights(self, text: str, fail: Callable[[str, str], None]) -> list[dict[str, str]]:
        rights = []
        for number, entry in enumerate(_entries(text), start=1):
            parts = [*(part.strip() for part in PART_SEPARATORS.split(entry)), "", ""]
            ip_type = self.ip_types.get(match_key(parts[1]))
            status = self.ip_statuses.get(match_key(parts[2]))
            if not parts[0] or len(parts[0]) > 64 or ip_type is None or status is None:
                fail("ip_rights", _("第%(n)d项格式不正确：应为“专利号，类型，状态”。") % {"n": number})
                continue
            rights.append({"number": parts[0], "ip_type": ip_type, "status": status})
        return rights


def _entries(text: str) -> list[str]:
    return [entry.strip() for entry in LIST_SEPARATORS.split(text) if entry.strip()]
