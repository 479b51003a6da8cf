"""Bulk catalogue data for the benchmarks, made from the shared matching-benchmark corpus (read in place).

``corpus.jsonl`` (papers and patents with abstracts and keywords) comes first, then
``corpus_extra.jsonl`` (funded projects and papers, mostly titles). Records without an abstract borrow
one from a corpus record of the same discipline, so every record has a realistic body and the index is
as large as a real registry's. Everything else (states, regions, TRL, prices, transfer modes, dates) is
drawn from a seeded generator: the same record count always gives the same database.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO.parent / "shared" / "benchmarks" / "matching"
CORPUS_FILES = ("corpus.jsonl", "corpus_extra.jsonl")
SEED = 20260101
RECORDS_PER_ORGANISATION = 100
BATCH = 2000
FIRST_CLAUSE = re.compile(r"[，。,.;；:：！？!?]")

REGION_TABLE = REPO / "src" / "techmarket" / "core" / "data" / "regions_hubei.csv"


@dataclass(frozen=True)
class CorpusRecord:
    kind: str
    title: str
    abstract: str
    keywords: tuple[str, ...]
    discipline: str
    owner: str


def corpus_records(limit: int) -> list[CorpusRecord]:
    """The first ``limit`` corpus records, titled ones first; abstracts filled in by discipline.

    Untitled papers (abstract only) come last and take the first clause of their abstract as a title.
    """
    titled: list[CorpusRecord] = []
    untitled: list[CorpusRecord] = []
    abstracts_by_discipline: dict[str, list[str]] = {}
    for name in CORPUS_FILES:
        with (CORPUS_DIR / name).open(encoding="utf-8") as lines:
            for line in lines:
                raw = json.loads(line)
                title = (raw.get("title") or "").strip()
                abstract = (raw.get("abstract") or "").strip()
                discipline = raw.get("discipline") or ""
                if len(abstract) >= 80:
                    abstracts_by_discipline.setdefault(discipline, []).append(abstract)
                if not title and len(abstract) >= 80:
                    title = next(part for part in FIRST_CLAUSE.split(abstract) if part.strip())[:40]
                    target = untitled
                elif title:
                    target = titled
                else:
                    continue
                target.append(
                    CorpusRecord(
                        kind=raw.get("kind") or "paper",
                        title=title[:200],
                        abstract=abstract,
                        keywords=tuple(word.strip() for word in raw.get("keywords") or [] if word.strip()),
                        discipline=discipline,
                        owner=(raw.get("owner") or "").strip(),
                    )
                )
    records = (titled + untitled)[:limit]
    if len(records) < limit:
        raise SystemExit(f"the corpus holds only {len(records)} records; asked for {limit}")
    pool = [abstract for abstracts in abstracts_by_discipline.values() for abstract in abstracts]
    filled = []
    for index, record in enumerate(records):
        if len(record.abstract) >= 80:
            filled.append(record)
            continue
        donors = abstracts_by_discipline.get(record.discipline) or pool
        borrowed = donors[index % len(donors)]
        abstract = f"{record.abstract}。{borrowed}" if record.abstract else borrowed
        filled.append(
            CorpusRecord(
                record.kind, record.title, abstract, record.keywords, record.discipline, record.owner
            )
        )
    return filled


def stable_index(text: str, size: int) -> int:
    return zlib.crc32(text.encode("utf-8")) % size


def make_uscc(n: int) -> str:
    from techmarket.core.validators import USCC_ALPHABET, uscc_check_character

    body = "".join(ch if ch in USCC_ALPHABET else "0" for ch in f"92990000{n:09d}")
    return body + uscc_check_character(body)


def ensure_regions() -> list[Any]:
    """Counties to file records under: the region table if loaded, else the packaged Hubei table (GB/T 2260)."""
    from techmarket.core.choices import RegionLevel
    from techmarket.core.codes import import_regions
    from techmarket.core.models import Region

    def counties() -> list[Any]:
        return list(
            Region.objects.filter(level=RegionLevel.COUNTY, parent__level=RegionLevel.CITY)
            .select_related("parent__parent")
            .order_by("code")
        )

    if not counties():
        report = import_regions(REGION_TABLE)
        if not report.ok:
            raise SystemExit(f"could not load {REGION_TABLE.name}")
    return counties()


def classifications(scheme: str) -> list[Any]:
    """Second-level codes of a national classification (loaded by the core migrations)."""
    from techmarket.core.models import Classification

    codes = list(
        Classification.objects.filter(
            scheme=scheme, parent__isnull=False, parent__parent__isnull=True
        ).order_by("code")
    )
    if not codes:
        raise SystemExit(f"no {scheme} classification loaded: run the migrations first")
    return codes


def organisation_kind(name: str) -> str:
    from techmarket.accounts.choices import OrganisationKind

    if "大学" in name or "学院" in name:
        return OrganisationKind.UNIVERSITY
    if "研究" in name or "科学院" in name:
        return OrganisationKind.INSTITUTE
    if "公司" in name or "集团" in name:
        return OrganisationKind.ENTERPRISE
    return OrganisationKind.OTHER


def ensure_organisations(records: list[CorpusRecord], counties: list[Any]) -> tuple[list[Any], list[Any]]:
    """One verified organisation (with one applicant) per ~100 records, named after the corpus owners."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.utils import timezone

    from techmarket.accounts.choices import OrganisationStatus, Role
    from techmarket.accounts.models import Organisation, RoleAssignment, User

    count = max(1, len(records) // RECORDS_PER_ORGANISATION)
    owners: dict[str, int] = {}
    for record in records:
        if record.owner:
            owners[record.owner] = owners.get(record.owner, 0) + 1
    names = sorted(owners, key=lambda name: (-owners[name], name))[:count]
    names += [f"基准测试单位{n}" for n in range(len(names), count)]
    now = timezone.now()
    Organisation.objects.bulk_create(
        Organisation(
            name=name,
            kind=organisation_kind(name),
            credit_code=make_uscc(n),
            region=counties[n % len(counties)],
            status=OrganisationStatus.VERIFIED,
            verified_at=now,
        )
        for n, name in enumerate(names)
    )
    organisations = list(Organisation.objects.filter(credit_code__startswith="9299").order_by("credit_code"))
    User.objects.bulk_create(
        User(
            username=f"bench_filer{n}",
            display_name=f"填报人{n}",
            organisation=organisation,
            password=UNUSABLE_PASSWORD_PREFIX,
        )
        for n, organisation in enumerate(organisations)
    )
    users = list(
        User.objects.filter(username__startswith="bench_filer").order_by("organisation__credit_code")
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=Role.APPLICANT) for user in users)
    return organisations, users


def achievements(
    records: list[CorpusRecord],
    organisations: list[Any],
    users: list[Any],
    disciplines: list[Any],
    industries: list[Any],
) -> Iterator[Any]:
    """Unsaved Achievement rows, with the index columns filled as the registration service fills them."""
    from django.utils import timezone

    from techmarket.achievements.choices import (
        TYPE_FLAGS,
        AchievementAttribute,
        AchievementState,
        AchievementType,
        Confidentiality,
        EvaluationForm,
        FundingSource,
        TransferMode,
        stage_for_trl,
    )
    from techmarket.achievements.models import Achievement, join_transfer_modes
    from techmarket.achievements.services import MAX_KEYWORDS, search_fields
    from techmarket.core.text import split_keywords
    from techmarket.search import segment

    rng = random.Random(SEED)  # noqa: S311 (seeded: reproducible data, not a secret)
    owner_index = {organisation.name: n for n, organisation in enumerate(organisations)}
    tz = timezone.get_current_timezone()
    now = datetime.datetime(2026, 10, 1, tzinfo=tz)
    serials: dict[str, int] = {}
    review_states = [
        AchievementState.COUNTY_REVIEW,
        AchievementState.CITY_REVIEW,
        AchievementState.PROVINCE_REVIEW,
        AchievementState.RETURNED,
        AchievementState.DRAFT,
    ]
    for index, record in enumerate(records):
        n = owner_index.get(record.owner, index % len(organisations))
        organisation, user = organisations[n], users[n]
        county = organisation.region
        region = county if rng.random() < 0.8 else county.parent
        city = county.parent
        province = city.parent
        draw = rng.random()
        if draw < 0.90:
            state, confidentiality = AchievementState.PUBLISHED, Confidentiality.PUBLIC
        elif draw < 0.95:
            state, confidentiality = AchievementState.PUBLISHED, Confidentiality.RESTRICTED
        else:
            state = review_states[int((draw - 0.95) / 0.05 * len(review_states))]
            confidentiality = Confidentiality.PUBLIC if rng.random() < 0.8 else Confidentiality.RESTRICTED
        if record.kind == "patent":
            achievement_type = AchievementType.APPLIED
        elif record.kind == "project":
            achievement_type = rng.choice(list(AchievementType.values))
        else:
            achievement_type = AchievementType.BASIC if rng.random() < 0.6 else AchievementType.APPLIED
        keywords = split_keywords("，".join(record.keywords))[:MAX_KEYWORDS]
        if not keywords:
            words = [token for token in segment.tokens(record.title) if len(token) >= 2]
            keywords = list(dict.fromkeys(sorted(words, key=len, reverse=True)))[:3]
        fiscal = rng.random() < 0.4
        evaluation_form = rng.choice(list(EvaluationForm.values))
        completion = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(6 * 365))
        negotiable = rng.random() < 0.2
        modes = rng.sample(list(TransferMode.values), rng.randint(1, 3))
        submitted_at = published_at = registration_number = None
        if state != AchievementState.DRAFT:
            submitted_at = now - datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        if state == AchievementState.PUBLISHED:
            published_at = submitted_at + datetime.timedelta(days=rng.randint(3, 40))  # type: ignore[operator]
            prefix = f"{city.code}{published_at.year}"
            serials[prefix] = serials.get(prefix, 0) + 1
            registration_number = f"{prefix}{TYPE_FLAGS[achievement_type]}{serials[prefix]:05d}"
        achievement = Achievement(
            name=record.title,
            achievement_type=achievement_type,
            discipline=disciplines[stable_index(record.discipline, len(disciplines))],
            industry=industries[stable_index(record.discipline + "/industry", len(industries))],
            keywords="，".join(keywords)[:200],
            abstract=record.abstract,
            funding_source=FundingSource.FISCAL if fiscal else FundingSource.NON_FISCAL,
            programme_name="国家自然科学基金" if fiscal else "",
            project_number=f"BENCH{index:07d}" if fiscal else "",
            evaluation_form=evaluation_form,
            evaluation_date=completion if evaluation_form != EvaluationForm.NONE else None,
            completion_date=completion,
            attribute=rng.choice(list(AchievementAttribute.values)),
            trl=(trl := rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 9])),
            stage=stage_for_trl(trl),
            transfer_modes=join_transfer_modes(modes),
            price_negotiable=negotiable,
            reference_price=None if negotiable else Decimal(rng.randrange(500, 500000)) / 100,
            region=region,
            county_code=region.code if region is county else "",
            city_code=city.code,
            province_code=province.code,
            owner_organisation=organisation,
            created_by=user,
            confidentiality=confidentiality,
            state=state,
            registration_number=registration_number,
            submitted_at=submitted_at,
            published_at=published_at,
        )
        achievement.search_title, achievement.search_body = search_fields(achievement)
        yield achievement


def load(record_count: int) -> dict[str, Any]:
    """Fill an empty, migrated database with ``record_count`` achievements; returns what was made."""
    import time

    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection, transaction

    from techmarket.accounts.choices import Role
    from techmarket.accounts.models import RoleAssignment, User
    from techmarket.achievements.choices import AchievementState, Confidentiality
    from techmarket.achievements.models import AccessGrant, Achievement
    from techmarket.core.choices import ClassificationScheme

    started = time.perf_counter()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")  # a throw-away build: no fsync per checkpoint
    records = corpus_records(record_count)
    read_seconds = time.perf_counter() - started
    with transaction.atomic():
        counties = ensure_regions()
        disciplines = classifications(ClassificationScheme.DISCIPLINE)
        industries = classifications(ClassificationScheme.INDUSTRY)
        organisations, users = ensure_organisations(records, counties)
    batch: list[Any] = []
    for achievement in achievements(records, organisations, users, disciplines, industries):
        batch.append(achievement)
        if len(batch) == BATCH:
            with transaction.atomic():
                Achievement.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Achievement.objects.bulk_create(batch)
    reviewed_city = counties[0].parent
    with transaction.atomic():
        reviewer = User.objects.create(
            username="bench_reviewer", display_name="基准审核员", password=UNUSABLE_PASSWORD_PREFIX
        )
        RoleAssignment.objects.create(user=reviewer, role=Role.REVIEWER, region=reviewed_city)
        restricted = Achievement.objects.filter(
            state=AchievementState.PUBLISHED, confidentiality=Confidentiality.RESTRICTED
        ).exclude(city_code=reviewed_city.code)
        AccessGrant.objects.bulk_create(
            AccessGrant(achievement_id=pk, user=reviewer, granted_by=users[0])
            for pk in restricted.order_by("id").values_list("id", flat=True)[:200]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # the state autovacuum keeps a live database in
    return {
        "records": record_count,
        "organisations": len(organisations),
        "counties": len(counties),
        "reviewed_city": reviewed_city.code,
        "corpus_read_seconds": round(read_seconds, 1),
        "load_seconds": round(time.perf_counter() - started, 1),
    }
