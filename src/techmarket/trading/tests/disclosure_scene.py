"""A listing with an NDA, a public and a confidential document, and people in every disclosure role."""

from __future__ import annotations

import datetime
from typing import Any

import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from techmarket.accounts.choices import OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.tests.factories import OrganisationFactory, UserFactory, user_with_role
from techmarket.trading import services
from techmarket.trading.choices import ListingState
from techmarket.trading.tests.factories import agency_with_broker, listing_in_state

SECRET = "绝密工艺参数还原温度九百五十度"
SECRET_PDF_TEXT = "机密配方文件正文"
PUBLIC_PDF_TEXT = "公开项目介绍"
NDA_TEXT = "第一条 买方对本项目保密信息负有保密义务，不得向第三方披露。"


def pdf_bytes(text: str, pages: int = 2) -> bytes:
    body = "".join(
        f"<p{' style=page-break-before:always' if n else ''}>{text} 第{n + 1}页</p>" for n in range(pages)
    )
    pdf: bytes = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    return pdf


def pdf_upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def disclosure_scene(world: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    """Roles by name → user (None: anonymous), plus the listing, its NDA and documents. Grants: ``buyer``
    holds one (30 days), ``expired_buyer`` one that ran out, ``revoked_buyer`` a revoked one."""
    org_admin = user_with_role(Role.ORG_ADMIN, organisation=world["university"], username="uni_admin")
    agency, broker = agency_with_broker(regions["city"])
    authorisation = services.authorisation_grant(
        actor=org_admin,
        achievement=world["achievement"],
        agency=agency,
        scope="list_and_trade",
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    listing = listing_in_state(
        ListingState.OPEN,
        seller=broker,
        achievement=world["achievement"],
        admin=world["admin"],
        authorisation=authorisation,
        confidential_detail=SECRET,
    )
    nda = services.nda_set(actor=world["seller"], listing=listing, text=NDA_TEXT)
    public_doc = services.document_upload(
        actor=world["seller"],
        listing=listing,
        title="项目介绍",
        upload=pdf_upload("介绍.pdf", PUBLIC_PDF_TEXT),
        confidential=False,
    )
    secret_doc = services.document_upload(
        actor=broker,
        listing=listing,
        title="工艺配方",
        upload=pdf_upload("配方.pdf", SECRET_PDF_TEXT),
        confidential=True,
    )

    def enterprise(name: str, **org: Any) -> Any:
        organisation = OrganisationFactory(
            kind=OrganisationKind.ENTERPRISE, region=regions["other_county"], name=f"{name}公司", **org
        )
        return user_with_role(Role.ENTERPRISE, organisation=organisation, username=name, display_name=name)

    buyer = world["buyer"]
    buyer.display_name = "买方张三"
    buyer.save(update_fields=["display_name"])
    colleague = user_with_role(Role.ENTERPRISE, organisation=buyer.organisation, username="colleague")
    people: dict[str, Any] = {
        "anonymous": None,
        "no_organisation": UserFactory(organisation=None, username="loner"),
        "unverified": enterprise("unverified", status=OrganisationStatus.PENDING),
        "buyer_without_grant": enterprise("nogrant"),
        "expired_buyer": enterprise("expired"),
        "revoked_buyer": enterprise("revoked"),
        "refused_buyer": enterprise("refused"),
        "pending_buyer": enterprise("pending"),
        "colleague": colleague,  # the grant is personal: the grantee's colleague has none
        "buyer": buyer,
        "seller": world["seller"],
        "org_admin": org_admin,
        "broker": broker,
        "admin": world["admin"],
    }
    scene = {
        **world,
        "people": people,
        "listing": listing,
        "nda": nda,
        "public_doc": public_doc,
        "secret_doc": secret_doc,
        "agency": agency,
    }
    for who in ("buyer", "expired_buyer", "revoked_buyer", "refused_buyer", "pending_buyer"):
        request = services.disclosure_request(
            actor=people[who], listing=listing, nda_id=nda.pk, accepted=True
        )
        if who == "refused_buyer":
            services.disclosure_refuse(actor=world["seller"], request=request, reason="暂不对外")
        elif who == "pending_buyer":
            pass
        else:
            request = services.disclosure_grant(actor=world["seller"], request=request, days=30)
            if who == "revoked_buyer":
                services.disclosure_revoke(actor=broker, request=request, reason="合作意向终止")
            if who == "expired_buyer":
                request.__class__.objects.filter(pk=request.pk).update(
                    granted_until=timezone.now() - datetime.timedelta(minutes=1)
                )
        scene[f"{who}_request"] = request
    return scene


READERS = ("buyer", "seller", "org_admin", "broker", "admin")
OUTSIDERS = (
    "anonymous",
    "no_organisation",
    "unverified",
    "buyer_without_grant",
    "expired_buyer",
    "revoked_buyer",
    "refused_buyer",
    "pending_buyer",
    "colleague",
)
