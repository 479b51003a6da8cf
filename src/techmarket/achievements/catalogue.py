"""The quarterly catalogue (季度成果目录): the 公开 records published in a quarter, as Excel and PDF.

Only public records go in (selectors.published_in_quarter), so the files can be served to anyone.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import weasyprint
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from techmarket.accounts.policies import principal_of
from techmarket.accounts.selectors import users_by_id
from techmarket.accounts.types import User
from techmarket.achievements import exports, policies, selectors
from techmarket.achievements.models import Achievement, PublishedCatalogue
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotFound, NotPermitted

QUARTER_PATTERN = re.compile(r"^(\d{4})[Qq]([1-4])$")
# Quarter ordinals as written in a title (第一季度); translated, as English titles use digits.
QUARTER_NAMES = {
    1: pgettext_lazy("季度序号", "一"),
    2: pgettext_lazy("季度序号", "二"),
    3: pgettext_lazy("季度序号", "三"),
    4: pgettext_lazy("季度序号", "四"),
}
# The quarters as a form offers them.
QUARTER_LABELS = {
    1: pgettext_lazy("季度", "第一季度（1–3月）"),
    2: pgettext_lazy("季度", "第二季度（4–6月）"),
    3: pgettext_lazy("季度", "第三季度（7–9月）"),
    4: pgettext_lazy("季度", "第四季度（10–12月）"),
}
ABSTRACT_CHARS = 400
FORMATS = ("xlsx", "pdf")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def title(self) -> str:
        return _("%(year)d年第%(number)s季度") % {"year": self.year, "number": QUARTER_NAMES[self.number]}

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)


def parse_quarter(text: str) -> Quarter:
    """ "2026Q3" → Quarter(2026, 3); anything else, or a quarter that has not begun, is refused."""
    match = QUARTER_PATTERN.match((text or "").strip())
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(
            "invalid_quarter",
            _("季度“%(text)s”无效，格式应为 年份+Q+季度序号，如 2026Q3。") % {"text": text},
            fields={"quarter": [_("格式如 2026Q3。")]},
        )
    quarter = Quarter(int(match.group(1)), int(match.group(2)))
    if quarter.first_day > timezone.localdate():
        raise DomainError(
            "quarter_not_started",
            _("%(quarter)s 尚未开始，不能发布该季度的目录。") % {"quarter": quarter.label},
            fields={"quarter": [_("季度尚未开始。")]},
        )
    return quarter


def catalogues_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "catalogues"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _entry(achievement: Achievement) -> dict[str, Any]:
    abstract = achievement.abstract
    if len(abstract) > ABSTRACT_CHARS:
        abstract = abstract[:ABSTRACT_CHARS] + "……"
    price = (
        _("面议")
        if achievement.price_negotiable
        else _("%(price)s 万元") % {"price": achievement.reference_price}
    )
    return {
        "registration_number": achievement.registration_number or "",
        "name": achievement.name,
        "organisation": achievement.owner_organisation.name,
        "region": achievement.region.name,
        "discipline": str(achievement.discipline),
        "industry": str(achievement.industry),
        "trl": achievement.trl,
        "transfer_modes": achievement.get_transfer_modes_display(),
        "price": price,
        "abstract": abstract,
    }


def render_pdf(quarter: Quarter, achievements: list[Achievement], published_on: datetime.date) -> bytes:
    html = render_to_string(
        "achievements/bulk/catalogue_pdf.html",
        {
            "quarter": quarter,
            "record_count": len(achievements),
            "published_on": published_on,
            "entries": [_entry(achievement) for achievement in achievements],
        },
    )
    return weasyprint.HTML(string=html).write_pdf()


def _replace(path: Path, write: Any) -> int:
    """Write through a temporary file and rename, so a download never sees a half-written catalogue."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)
    return path.stat().st_size


def publish(*, quarter: str, actor: User | None = None) -> PublishedCatalogue:
    """Write VAR_DIR/catalogues/<quarter>.xlsx and .pdf and record the publication (again: replaced)."""
    period = parse_quarter(quarter)
    achievements = list(selectors.published_in_quarter(period.year, period.number))
    published_at = timezone.now()
    directory = catalogues_dir()
    xlsx_name, pdf_name = f"{period.label}.xlsx", f"{period.label}.pdf"
    sheet_title = _("%(quarter)s科技成果") % {"quarter": period.label}
    xlsx_size = _replace(
        directory / xlsx_name, lambda path: exports.write_xlsx(achievements, str(path), title=sheet_title)
    )
    pdf = render_pdf(period, achievements, timezone.localdate(published_at))
    pdf_size = _replace(directory / pdf_name, lambda path: path.write_bytes(pdf))
    with transaction.atomic():
        catalogue, _created = PublishedCatalogue.objects.update_or_create(
            quarter=period.label,
            defaults={
                "record_count": len(achievements),
                "xlsx_name": xlsx_name,
                "pdf_name": pdf_name,
                "xlsx_size": xlsx_size,
                "pdf_size": pdf_size,
                "published_at": published_at,
                "published_by": actor,
            },
        )
        record_event(
            actor=actor,
            action="achievements.catalogue.publish",
            target=catalogue,
            data={"quarter": period.label, "records": len(achievements)},
        )
    return catalogue


def authorise_publication(actor: User | None) -> None:
    """Only the platform administrators and the province's reviewers publish from the web."""
    if actor is None or not policies.can_publish_catalogue(principal_of(actor)):
        raise NotPermitted(_("只有平台管理员或省级审核员可以发布季度目录。"))


def preview(*, actor: User, quarter: str) -> tuple[Quarter, int, PublishedCatalogue | None]:
    """The quarter, how many records its catalogue would hold now, and its earlier publication."""
    authorise_publication(actor)
    period = parse_quarter(quarter)
    count = selectors.published_in_quarter(period.year, period.number).count()
    return period, count, PublishedCatalogue.objects.filter(quarter=period.label).first()


def publish_as(*, quarter: str, user_id: int) -> PublishedCatalogue:
    """Publish on behalf of the user who asked on the web page (the background task's entry): the
    permission is checked again, as a role may have been taken away since the request."""
    actor = users_by_id([user_id]).get(user_id)
    authorise_publication(actor)
    return publish(quarter=quarter, actor=actor)


def published_catalogues() -> list[PublishedCatalogue]:
    return list(PublishedCatalogue.objects.select_related("published_by"))


def catalogue_file(quarter: str, file_format: str) -> tuple[PublishedCatalogue, Path]:
    """The stored file of a published catalogue, or NotFound."""
    catalogue = PublishedCatalogue.objects.filter(quarter=quarter).first()
    if catalogue is None or file_format not in FORMATS:
        raise NotFound(_("该季度目录尚未发布。"))
    path = catalogues_dir() / (catalogue.xlsx_name if file_format == "xlsx" else catalogue.pdf_name)
    if not path.is_file():
        raise NotFound(_("目录文件不存在，请联系管理员重新发布。"))
    return catalogue, path
