"""The import itself: check every row with the registration rules, then write all rows as drafts or none.

Rows are built through ``achievements.services.build`` (the same rules as the form and the API) and
written in one transaction with their organisations, persons and IP, one audit event per record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from techmarket.accounts.policies import principal_of
from techmarket.accounts.types import User
from techmarket.achievements import policies, services
from techmarket.achievements.choices import AchievementState, Confidentiality
from techmarket.achievements.errors import SECRET_REFUSED_MESSAGE
from techmarket.achievements.imports.columns import COLUMN_BY_FIELD, COLUMN_ORDER, COLUMNS
from techmarket.achievements.imports.converter import RowConverter
from techmarket.achievements.models import (
    Achievement,
    CompletingOrganisation,
    CompletingPerson,
    IntellectualProperty,
)
from techmarket.core.audit import record_events_bulk
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.search import segment

PROGRESS_EVERY = 100
BATCH_SIZE = 500
IMPORT_ACTION = "achievements.achievement.import"


@dataclass
class ImportReport:
    """What a run found: the rows checked, the rows written, and each bad row's messages."""

    total: int
    imported: int = 0
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_text(self) -> str:
        if self.errors:
            lines = [
                _("共 %(total)d 行，其中 %(bad)d 行有误，未导入任何记录。请修改后重新上传：")
                % {"total": self.total, "bad": len(self.errors)}
            ]
            lines += [
                _("第%(row)d行：%(reasons)s") % {"row": row, "reasons": "；".join(messages)}
                for row, messages in self.errors
            ]
            return "\n".join(lines)
        if self.dry_run:
            return _("共 %(total)d 行，全部通过校验（试运行，未写入任何记录）。") % {"total": self.total}
        return _("共 %(total)d 行，已全部导入为本单位的草稿（%(imported)d 条）。") % {
            "total": self.total,
            "imported": self.imported,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "imported": self.imported,
            "errors": [[row, messages] for row, messages in self.errors],
            "dry_run": self.dry_run,
        }


def _row_messages(errors: dict[str, list[Any]]) -> list[str]:
    """Messages of one row in column order, each prefixed with its column title."""
    messages: list[str] = []
    for name in sorted(errors, key=lambda n: COLUMN_ORDER.get(n, len(COLUMNS))):
        column = COLUMN_BY_FIELD.get(name)
        for message in errors[name]:
            text = f"{column.title}：{force_str(message)}" if column else force_str(message)
            if text not in messages:
                messages.append(text)
    return messages


def run_import(
    *,
    actor: User,
    rows: list[dict[str, str]],
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    source: str = "",
) -> ImportReport:
    """Check every row with the registration rules; write all of them as drafts, or none if any is bad.

    ``rows`` come from :func:`~techmarket.achievements.imports.readers.read_rows` (row i is spreadsheet row i + 2); blank rows are skipped.
    ``progress(done, total)`` is called every PROGRESS_EVERY rows while checking.
    """
    if not policies.can_file(principal_of(actor)):
        raise NotPermitted(_("只有成果填报人或单位管理员可以登记成果。"))
    numbered = [(index + 2, row) for index, row in enumerate(rows) if any(value for value in row.values())]
    if not numbered:
        raise DomainError("import_empty", _("文件中没有数据行。"), fields={"file": [_("没有数据行。")]})
    report = ImportReport(total=len(numbered), dry_run=dry_run)
    converter = RowConverter()
    built: list[tuple[int, Achievement, dict[str, Any]]] = []
    for done, (row_number, row) in enumerate(numbered, start=1):
        data, errors = converter.convert(row)
        if data["confidentiality"] == Confidentiality.SECRET:
            errors = {"confidentiality": [force_str(SECRET_REFUSED_MESSAGE)]}
        else:
            try:
                achievement = services.build(actor=actor, data=data, prechecked=True)
            except DomainError as error:
                # A column that failed conversion keeps its own message (not also "required").
                for name, messages in (error.fields or {"": [error.message]}).items():
                    if name not in errors:
                        errors[name] = [force_str(message) for message in messages]
            else:
                if not errors:
                    built.append((row_number, achievement, data))
        if errors:
            report.errors.append((row_number, _row_messages(errors)))
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == report.total):
            progress(done, report.total)
    _flag_duplicates(report, built)
    if report.errors or dry_run:
        return report
    _write(actor=actor, built=built, source=source)
    report.imported = len(built)
    return report


def identity(name: str, completion_date: Any) -> tuple[str, Any]:
    """What makes two records of one organisation the same achievement for an import: the title (in the
    search's normal form: full-width/half-width, case and spaces do not count) and the completion date."""
    return "".join(segment.normalise(name).split()), completion_date


def _flag_duplicates(report: ImportReport, built: list[tuple[int, Achievement, dict[str, Any]]]) -> None:
    """Report, row by row, a row that repeats an earlier row of the file or a record the organisation has
    already registered (any state but withdrawn): an import that would file the same achievement twice is
    refused like any other bad row. One query for the organisation's records of the file's dates."""
    if not built:
        return
    flagged: list[tuple[int, list[str]]] = []
    organisation_id = built[0][1].owner_organisation_id
    dates = {achievement.completion_date for _row, achievement, _data in built}
    existing: dict[tuple[str, Any], Achievement] = {}
    for record in (
        Achievement.objects.filter(owner_organisation_id=organisation_id, completion_date__in=dates)
        .exclude(state=AchievementState.WITHDRAWN)
        .only("id", "name", "completion_date", "registration_number")
        .order_by("pk")
    ):
        existing.setdefault(identity(record.name, record.completion_date), record)
    first_row: dict[tuple[str, Any], int] = {}
    kept: list[tuple[int, Achievement, dict[str, Any]]] = []
    column = COLUMN_BY_FIELD["name"].title
    for item in built:
        row_number, achievement, _data = item
        key = identity(achievement.name, achievement.completion_date)
        if key in first_row:
            message = _("与第%(row)d行重复（成果名称和完成日期相同），同一文件中请只保留一行。") % {
                "row": first_row[key]
            }
            flagged.append((row_number, [f"{column}：{message}"]))
        elif key in existing:
            record = existing[key]
            message = _("本单位已登记过同名、同完成日期的成果“%(name)s”（%(number)s），请勿重复导入。") % {
                "name": record.name,
                "number": record.registration_number or _("草稿，编号 %(id)d") % {"id": record.pk},
            }
            flagged.append((row_number, [f"{column}：{message}"]))
            first_row.setdefault(key, row_number)
        else:
            first_row[key] = row_number
            kept.append(item)
    if flagged:
        report.errors = sorted(report.errors + flagged, key=lambda entry: entry[0])
        built[:] = kept


@transaction.atomic
def _write(*, actor: User, built: list[tuple[int, Achievement, dict[str, Any]]], source: str) -> None:
    """One transaction: the records, their organisations, persons and IP, and one audit event each."""
    achievements = Achievement.objects.bulk_create([item[1] for item in built], batch_size=BATCH_SIZE)
    organisations: list[CompletingOrganisation] = []
    persons: list[CompletingPerson] = []
    rights: list[IntellectualProperty] = []
    for achievement, (_row, _unsaved, data) in zip(achievements, built, strict=True):
        organisations += [
            CompletingOrganisation(achievement=achievement, position=position, name=name)
            for position, name in enumerate(data["organisations"], start=1)
        ]
        persons += [
            CompletingPerson(achievement=achievement, position=position, **person)
            for position, person in enumerate(data["persons"], start=1)
        ]
        rights += [IntellectualProperty(achievement=achievement, **right) for right in data["ip_rights"]]
    CompletingOrganisation.objects.bulk_create(organisations, batch_size=BATCH_SIZE)
    CompletingPerson.objects.bulk_create(persons, batch_size=BATCH_SIZE)
    IntellectualProperty.objects.bulk_create(rights, batch_size=BATCH_SIZE)
    record_events_bulk(
        actor=actor,
        action=IMPORT_ACTION,
        entries=(
            (achievement, {"row": row_number, "file": source})
            for achievement, (row_number, _unsaved, _data) in zip(achievements, built, strict=True)
        ),
        to_state=AchievementState.DRAFT,
    )
