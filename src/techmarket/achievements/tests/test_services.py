"""Writes of the registry: validation of the registration form, edits, attachments, access and duplicates."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from techmarket.accounts.choices import Role
from techmarket.accounts.policies import principal_of
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements import selectors, services
from techmarket.achievements.choices import AchievementState as S
from techmarket.achievements.errors import SECRET_REFUSED_MESSAGE
from techmarket.achievements.models import (
    AccessGrant,
    Achievement,
    Attachment,
    CompletingOrganisation,
    CompletingPerson,
    IntellectualProperty,
)
from techmarket.achievements.tests.factories import achievement_data, achievement_in_state, draft
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def stored_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Achievement,
            CompletingOrganisation,
            CompletingPerson,
            IntellectualProperty,
            Attachment,
            AccessGrant,
            AuditEvent,
        )
    )


def refused(actor: Any, data: dict[str, Any]) -> DomainError:
    """Create must fail with a DomainError and store nothing at all."""
    before = stored_counts()
    with pytest.raises(DomainError) as caught:
        services.achievement_create(actor=actor, data=data)
    assert stored_counts() == before
    return caught.value


def tiny_pdf() -> bytes:
    """A real one-page PDF (header, objects, cross-reference table, trailer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret-password")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class TestCreate:
    def test_stores_a_draft_with_derived_fields_children_and_an_audit_event(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"], keywords="石墨烯; 导热膜、散热")
        record.refresh_from_db()
        assert record.state == S.DRAFT
        assert record.owner_organisation == applicant.organisation
        assert (record.county_code, record.city_code, record.province_code) == ("990102", "990100", "990000")
        assert record.keyword_list == ["石墨烯", "导热膜", "散热"]
        assert record.transfer_modes == ",transfer,license,"
        assert record.reference_price == Decimal("120.00")
        assert "导热" in record.search_title.split()
        assert [o.name for o in record.completing_organisations.all()] == ["测试大学", "测试研究院"]
        assert [p.name for p in record.completing_persons.all()] == ["张三"]
        assert record.ip_rights.get().number == "ZL202310000001.X"
        event = AuditEvent.objects.get(target_id=str(record.pk))
        assert (event.action, event.actor, event.to_state) == (
            "achievements.achievement.create",
            applicant,
            S.DRAFT,
        )

    def test_secret_is_refused_and_nothing_is_stored(self, regions, applicant):
        error = refused(applicant, achievement_data(regions["county"], confidentiality="secret"))
        assert error.code == "secret_not_allowed"
        assert str(error.message) == str(SECRET_REFUSED_MESSAGE)
        assert "离线" in str(error.message)
        assert error.fields["confidentiality"]

    def test_secret_is_refused_even_for_someone_who_cannot_file(self, regions, reviewers):
        error = refused(reviewers["city"], achievement_data(regions["county"], confidentiality="secret"))
        assert error.code == "secret_not_allowed"

    @pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.BROKER, Role.EXPERT, Role.REVIEWER])
    def test_only_applicants_and_organisation_admins_file(self, role, regions):
        organisation = OrganisationFactory(region=regions["county"])
        actor = user_with_role(
            role,
            organisation=None if role in {Role.EXPERT, Role.REVIEWER} else organisation,
            region=regions["city"],
        )
        assert refused(actor, achievement_data(regions["county"])).code == "permission_denied"

    def test_fiscal_funding_needs_programme_name_and_number(self, regions, applicant):
        data = achievement_data(regions["county"], funding_source="fiscal")
        error = refused(applicant, data)
        assert set(error.fields) == {"programme_name", "project_number"}
        record = services.achievement_create(
            actor=applicant,
            data={**data, "programme_name": "国家重点研发计划", "project_number": "2023YFB0000001"},
        )
        assert record.is_fiscal

    @pytest.mark.parametrize("keywords", ["", " ， ；", "甲，乙，丙，丁，戊，己"])
    def test_one_to_five_keywords(self, keywords, regions, applicant):
        error = refused(applicant, achievement_data(regions["county"], keywords=keywords))
        assert list(error.fields) == ["keywords"]

    def test_five_keywords_with_mixed_separators_are_accepted(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"], keywords="甲,乙；丙;丁、戊")
        assert record.keyword_list == ["甲", "乙", "丙", "丁", "戊"]

    def test_price_or_negotiable(self, regions, applicant):
        error = refused(applicant, achievement_data(regions["county"], reference_price=None))
        assert list(error.fields) == ["reference_price"]
        record = draft(
            applicant=applicant, region=regions["county"], price_negotiable=True, reference_price="99"
        )
        assert record.reference_price is None
        assert record.price_negotiable

    def test_negative_price_is_refused(self, regions, applicant):
        error = refused(applicant, achievement_data(regions["county"], reference_price="-1"))
        assert "reference_price" in error.fields

    def test_evaluation_date_required_unless_not_evaluated(self, regions, applicant):
        error = refused(applicant, achievement_data(regions["county"], evaluation_date=None))
        assert list(error.fields) == ["evaluation_date"]
        record = draft(
            applicant=applicant, region=regions["county"], evaluation_form="none", evaluation_date=None
        )
        assert record.evaluation_date is None

    def test_region_must_be_a_county_or_city(self, regions, applicant):
        error = refused(applicant, achievement_data(regions["province"]))
        assert list(error.fields) == ["region"]
        assert draft(applicant=applicant, region=regions["city"]).city_code == "990100"

    def test_region_is_required(self, regions, applicant):
        assert list(refused(applicant, achievement_data(None)).fields) == ["region"]

    def test_completion_date_cannot_be_in_the_future(self, regions, applicant):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        error = refused(applicant, achievement_data(regions["county"], completion_date=tomorrow))
        assert list(error.fields) == ["completion_date"]

    @pytest.mark.parametrize("trl", [0, 10])
    def test_trl_range(self, trl, regions, applicant):
        assert "trl" in refused(applicant, achievement_data(regions["county"], trl=trl)).fields

    def test_transfer_modes_required_and_known(self, regions, applicant):
        assert (
            "transfer_modes"
            in refused(applicant, achievement_data(regions["county"], transfer_modes=[])).fields
        )
        error = refused(applicant, achievement_data(regions["county"], transfer_modes=["gift"]))
        assert "transfer_modes" in error.fields


class TestUpdate:
    @pytest.mark.parametrize("state", [S.DRAFT, S.RETURNED])
    def test_owner_updates_draft_or_returned(self, state, regions, reviewers, applicant):
        record = achievement_in_state(
            state, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        updated = services.achievement_update(
            actor=applicant, achievement=record, data={"name": "改进后的石墨烯导热膜", "trl": 7}
        )
        updated.refresh_from_db()
        assert (updated.name, updated.trl, updated.state) == ("改进后的石墨烯导热膜", 7, state)
        assert "改进" in updated.search_title.split()
        event = AuditEvent.objects.filter(action="achievements.achievement.update").get()
        assert event.data == {"fields": ["name", "trl"]}

    def test_update_keeps_children_unless_given(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        services.achievement_update(actor=applicant, achievement=record, data={"trl": 5})
        assert record.completing_persons.count() == 1
        services.achievement_update(
            actor=applicant, achievement=record, data={"persons": [{"name": "李四", "role": "main"}]}
        )
        assert [p.name for p in record.completing_persons.all()] == ["李四"]

    @pytest.mark.parametrize("state", [S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLISHED, S.WITHDRAWN, S.REVOKED])
    def test_no_update_outside_draft_and_returned(self, state, regions, reviewers, applicant):
        record = achievement_in_state(
            state, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        before = (Achievement.objects.values().get(pk=record.pk), stored_counts())
        with pytest.raises(NotPermitted):
            services.achievement_update(actor=applicant, achievement=record, data={"name": "偷改"})
        assert (Achievement.objects.values().get(pk=record.pk), stored_counts()) == before

    def test_no_update_by_others(self, regions, reviewers, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        outsider = user_with_role(Role.APPLICANT, organisation=OrganisationFactory(region=regions["county"]))
        for actor in (outsider, reviewers["county"], user_with_role(Role.PLATFORM_ADMIN)):
            with pytest.raises(NotPermitted):
                services.achievement_update(actor=actor, achievement=record, data={"name": "偷改"})
        assert Achievement.objects.get(pk=record.pk).name == record.name

    def test_update_to_secret_is_refused(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        before = (Achievement.objects.values().get(pk=record.pk), stored_counts())
        with pytest.raises(DomainError) as caught:
            services.achievement_update(
                actor=applicant, achievement=record, data={"confidentiality": "secret"}
            )
        assert caught.value.code == "secret_not_allowed"
        assert (Achievement.objects.values().get(pk=record.pk), stored_counts()) == before

    def test_invalid_update_changes_nothing(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        before = (Achievement.objects.values().get(pk=record.pk), stored_counts())
        with pytest.raises(DomainError):
            services.achievement_update(
                actor=applicant,
                achievement=record,
                data={"name": "新名称", "funding_source": "fiscal", "persons": []},
            )
        assert (Achievement.objects.values().get(pk=record.pk), stored_counts()) == before


class TestAttachments:
    def test_accepts_a_real_small_pdf(self, regions, applicant, client):
        record = draft(applicant=applicant, region=regions["county"])
        content = tiny_pdf()
        attachment = services.attachment_add(
            actor=applicant,
            achievement=record,
            upload=SimpleUploadedFile("验收报告.pdf", content, content_type="application/pdf"),
        )
        assert attachment.size == len(content)
        assert attachment.original_name == "验收报告.pdf"
        with attachment.file.open("rb") as stored:
            assert stored.read() == content
        assert AuditEvent.objects.filter(action="achievements.attachment.add").count() == 1
        # Served only through the record's visibility check.
        url = f"/achievements/{record.pk}/attachments/{attachment.pk}/"
        assert client.get(url).status_code == 404
        client.force_login(applicant)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content

    @pytest.mark.parametrize(
        ("name", "content"),
        [("photo.pdf", PNG_BYTES), ("notes.pdf", b"just text, not a PDF"), ("report.exe", None)],
    )
    def test_refuses_what_is_not_a_pdf(self, name, content, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        before = stored_counts()
        upload = SimpleUploadedFile(name, content or tiny_pdf(), content_type="application/pdf")
        with pytest.raises(DomainError) as caught:
            services.attachment_add(actor=applicant, achievement=record, upload=upload)
        assert caught.value.code == "attachment_not_pdf"
        assert stored_counts() == before

    @pytest.mark.parametrize(
        ("content", "code", "message"),
        [
            (tiny_pdf()[: len(tiny_pdf()) // 2], "attachment_damaged", "不是完整的 PDF"),
            (b"%PDF-1.7\n" + b"\x00garbage" * 50, "attachment_damaged", "不是完整的 PDF"),
            (b"%PDF-1.4", "attachment_damaged", "不是完整的 PDF"),
            (encrypted_pdf(), "attachment_encrypted", "设置了打开密码"),
        ],
        ids=["truncated", "garbage", "header-only", "encrypted"],
    )
    def test_refuses_a_damaged_or_encrypted_pdf_by_parsing_it(
        self, content, code, message, regions, applicant, client
    ):
        record = draft(applicant=applicant, region=regions["county"])
        before = stored_counts()
        with pytest.raises(DomainError) as caught:
            services.attachment_add(
                actor=applicant, achievement=record, upload=SimpleUploadedFile("报告.pdf", content)
            )
        assert caught.value.code == code
        assert message in str(caught.value.message)
        assert stored_counts() == before

    def test_accepts_a_pdf_written_by_a_pdf_library(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"])
        writer = PdfWriter()
        writer.add_blank_page(595, 842)
        buffer = io.BytesIO()
        writer.write(buffer)
        upload = SimpleUploadedFile("A4.pdf", buffer.getvalue())
        assert services.attachment_add(actor=applicant, achievement=record, upload=upload).size > 0

    def test_refuses_an_oversize_file(self, regions, applicant, settings):
        settings.TECHMARKET = {**settings.TECHMARKET, "MAX_ATTACHMENT_BYTES": 1024 * 1024}
        record = draft(applicant=applicant, region=regions["county"])
        big = tiny_pdf() + b"%" + b"0" * (1024 * 1024)
        before = stored_counts()
        with pytest.raises(DomainError) as caught:
            services.attachment_add(
                actor=applicant, achievement=record, upload=SimpleUploadedFile("big.pdf", big)
            )
        assert caught.value.code == "attachment_too_large"
        assert "1 MB" in str(caught.value.message)
        assert stored_counts() == before

    def test_only_the_owner_attaches_while_editable(self, regions, reviewers, applicant):
        record = achievement_in_state(
            S.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        for actor in (applicant, reviewers["county"]):
            with pytest.raises(NotPermitted):
                services.attachment_add(
                    actor=actor, achievement=record, upload=SimpleUploadedFile("a.pdf", tiny_pdf())
                )
        assert not Attachment.objects.exists()


class TestAccessGrants:
    def test_grant_and_revoke(self, regions, reviewers, organisation, applicant):
        record = achievement_in_state(
            S.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            confidentiality="restricted",
        )
        guest = user_with_role(Role.ENTERPRISE, organisation=OrganisationFactory(region=regions["city"]))
        assert not selectors.achievement_visible(principal_of(guest)).filter(pk=record.pk).exists()
        services.access_grant(actor=applicant, achievement=record, user=guest)
        services.access_grant(actor=applicant, achievement=record, user=guest)  # idempotent
        assert AccessGrant.objects.filter(achievement=record, user=guest).count() == 1
        assert selectors.achievement_get(principal_of(guest), record.pk) == record
        assert selectors.achievement_catalogue(principal_of(guest)).filter(pk=record.pk).exists()
        guest = type(guest).objects.get(pk=guest.pk)
        services.access_revoke(actor=applicant, achievement=record, user=guest)
        assert not selectors.achievement_visible(principal_of(guest)).filter(pk=record.pk).exists()
        actions = list(
            AuditEvent.objects.filter(action__startswith="achievements.access.").values_list(
                "action", flat=True
            )
        )
        assert actions == [
            "achievements.access.grant",
            "achievements.access.grant",
            "achievements.access.revoke",
        ]

    def test_only_creator_or_org_admin_grants(self, regions, reviewers, organisation, applicant):
        record = draft(applicant=applicant, region=regions["county"], confidentiality="restricted")
        guest = user_with_role(Role.EXPERT)
        colleague = user_with_role(Role.APPLICANT, organisation=organisation)
        for actor in (colleague, reviewers["county"], guest, user_with_role(Role.PLATFORM_ADMIN)):
            with pytest.raises(NotPermitted):
                services.access_grant(actor=actor, achievement=record, user=guest)
        assert not AccessGrant.objects.exists()
        admin = user_with_role(Role.ORG_ADMIN, organisation=organisation)
        services.access_grant(actor=admin, achievement=record, user=guest)
        assert AccessGrant.objects.filter(achievement=record, user=guest, granted_by=admin).exists()

    def test_a_grant_does_not_reveal_an_unpublished_record(self, regions, applicant):
        record = draft(applicant=applicant, region=regions["county"], confidentiality="restricted")
        guest = user_with_role(Role.EXPERT)
        services.access_grant(actor=applicant, achievement=record, user=guest)
        assert not selectors.achievement_visible(principal_of(guest)).filter(pk=record.pk).exists()


class TestDuplicates:
    def test_near_identical_title_of_a_published_record_is_flagged_on_submit(
        self, regions, reviewers, applicant
    ):
        """The unrelated record matches every word of the new title (its abstract is about graphene and
        its title ends in 方法), so an all-words search alone would hide the real duplicate."""
        published = achievement_in_state(
            S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers
        )
        unrelated = achievement_in_state(
            S.PUBLISHED,
            applicant=applicant,
            region=regions["county"],
            reviewers=reviewers,
            name="玉米抗旱品种选育方法",
            keywords="玉米，抗旱",
        )
        record = draft(applicant=applicant, region=regions["county"], name="高导热石墨烯复合薄膜的制备方法")
        record = services.achievement_submit(actor=applicant, achievement=record)
        ids = [item["id"] for item in record.duplicate_candidates]
        assert ids == [published.pk]
        assert unrelated.pk not in ids
        candidate = record.duplicate_candidates[0]
        assert candidate["registration_number"] == published.registration_number
        assert candidate["score"] >= 0.6
        event = AuditEvent.objects.get(action="achievements.achievement.submit", target_id=str(record.pk))
        assert event.data == {"duplicates": [published.pk]}

    def test_distinct_titles_are_not_flagged(self, regions, reviewers, applicant):
        achievement_in_state(S.PUBLISHED, applicant=applicant, region=regions["county"], reviewers=reviewers)
        record = draft(applicant=applicant, region=regions["county"], name="石墨烯在锂电池负极中的应用")
        record = services.achievement_submit(actor=applicant, achievement=record)
        assert record.duplicate_candidates == []


class TestOverdueFiscal:
    def _fiscal(self, applicant, region, days_ago: int, **overrides):
        completed = timezone.localdate() - datetime.timedelta(days=days_ago)
        return draft(
            applicant=applicant,
            region=region,
            funding_source="fiscal",
            programme_name="省自然科学基金",
            project_number="2024JJ0001",
            completion_date=completed,
            evaluation_date=completed,
            **overrides,
        )

    def test_fiscal_records_past_the_deadline_are_listed_for_their_reviewers(
        self, regions, reviewers, applicant, settings
    ):
        days = settings.TECHMARKET["FISCAL_REGISTRATION_DAYS"]
        late = self._fiscal(applicant, regions["county"], days + 1, name="逾期的财政项目成果")
        on_time = self._fiscal(applicant, regions["county"], days - 1, name="未逾期的财政项目成果")
        late_but_submitted = services.achievement_submit(
            actor=applicant,
            achievement=self._fiscal(applicant, regions["county"], days + 30, name="已提交的逾期成果"),
        )
        draft(applicant=applicant, region=regions["county"], completion_date=datetime.date(2020, 1, 1))
        for level in ("county", "city", "province"):
            listed = list(selectors.overdue_fiscal(principal_of(reviewers[level])))
            assert listed == [late], level
        assert not selectors.overdue_fiscal(principal_of(reviewers["other_city"])).exists()
        assert not selectors.overdue_fiscal(principal_of(applicant)).exists()
        assert on_time.pk
        assert late_but_submitted.state == S.COUNTY_REVIEW
        assert selectors.fiscal_deadline(late) == late.completion_date + datetime.timedelta(days=days)

    def test_the_deadline_follows_the_setting(self, regions, reviewers, applicant, settings):
        record = self._fiscal(applicant, regions["county"], 40)
        assert not selectors.overdue_fiscal(principal_of(reviewers["county"])).exists()
        settings.TECHMARKET = {**settings.TECHMARKET, "FISCAL_REGISTRATION_DAYS": 30}
        assert list(selectors.overdue_fiscal(principal_of(reviewers["county"]))) == [record]
