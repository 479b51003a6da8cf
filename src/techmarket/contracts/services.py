"""Writes of technology contract registration (认定登记). Every change goes through here, inside one
transaction, with a policy check and an audit event; states only through ``CONTRACT_WORKFLOW``.

Who files: the seller organisation's filers (applicant, org_admin, enterprise), or an agency's broker or
administrator for a seller — the deal's broker when the contract comes from a deal, otherwise a seller
that authorises the agency on the trading floor now (a running listing authorisation). The agency is then
named on the contract and is one of its parties.

Every field is checked against the national code lists (``codes``), the buyer's region against GB/T 2260
(a known region) or, for a buyer abroad, a country code; amounts are yuan, Decimal, at least 0, at most
two decimals. The certified amount (核定技术交易额) is the total less the non-technical parts; the
registry may correct it (with a reason, never above the total). Bad input raises a DomainError naming
each field and changes nothing.

A contract registers once: a deal has at most one live contract (not refused or withdrawn — a database
constraint too), and the same contract filed twice (same seller, buyer, signing date and total among live
contracts) is refused. The registration number is the registry's region code (6) + year (4) + type digit
+ a 5-digit serial from ``RegistrationSerial``, taken under that row's lock: unique and never reused.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import selectors as account_selectors
from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.policies import Principal, principal_of
from techmarket.accounts.types import Organisation, User
from techmarket.contracts import codes, policies
from techmarket.contracts.choices import (
    CHINA_COUNTRY_CODE,
    TYPE_DIGIT,
    TYPE_OF_SUBTYPE,
    ContractState,
    ContractSubtype,
    ContractType,
)
from techmarket.contracts.models import ContractPart, RegistrationSerial, TechContract
from techmarket.contracts.workflow import CONTRACT_WORKFLOW
from techmarket.core import clock
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, InvalidTransition, NotPermitted
from techmarket.core.files import PDF, check_upload
from techmarket.core.models import Region
from techmarket.core.validators import pdf_problem, validate_uscc
from techmarket.trading import selectors as trading_selectors

MAX_AMOUNT = Decimal("99999999999999.99")  # the model's 16 digits, 2 of them decimals
CENT = Decimal("0.01")
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PARTS = 20
MAX_PLAN_ROWS = 60
MAX_TITLE = 200
MAX_SERIAL = 99999
# States in which a contract still counts: one per deal, one per contract.
DEAD_STATES = frozenset({ContractState.REFUSED, ContractState.WITHDRAWN})
# Needed for transfer and licence contracts (the form's 预计新增投资 / 产值).
NEEDS_EXPECTATIONS = frozenset({ContractType.TRANSFER, ContractType.LICENSE})
# The legal-entity type a platform organisation is written with, until the filer corrects it.
ENTITY_OF_KIND = {
    OrganisationKind.UNIVERSITY: "22",
    OrganisationKind.INSTITUTE: "21",
    OrganisationKind.ENTERPRISE: "41",
    OrganisationKind.FINANCE: "41",
    OrganisationKind.GOVERNMENT: "10",
    OrganisationKind.AGENCY: "90",
    OrganisationKind.OTHER: "90",
}
# A deal's contract kind (deals.choices.ContractType values) → the registration form's subtype.
SUBTYPE_OF_DEAL = {
    "transfer": ContractSubtype.TRANSFER_OTHER,
    "license": ContractSubtype.LICENSE_OTHER,
    "equity": ContractSubtype.TRANSFER_OTHER,  # 作价投资: a transfer of the technology
}
YUAN_PER_WAN = Decimal("10000")
# Characters of a verification code: no 0/O, 1/I/L to misread from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16

# The fields a filer enters (besides the parts, the payment plan and the signed PDF).
TEXT_FIELDS = (
    "title",
    "subtype",
    "seller_entity_type",
    "buyer_name",
    "buyer_credit_code",
    "buyer_entity_type",
    "buyer_country_code",
    "buyer_region_code",
    "technology_field",
    "ip_type",
    "plan_source",
)


# --- parsing ----------------------------------------------------------------------------------------------


class Errors:
    """Field errors collected while checking a whole form, raised together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if not self.fields:
            return
        messages = [message for group in self.fields.values() for message in group]
        summary = (
            messages[0]
            if len(messages) == 1
            else _("合同信息有 %(count)d 处错误，请逐项更正：%(first)s")
            % {"count": len(messages), "first": messages[0]}
        )
        raise DomainError("invalid_contract", summary, fields=self.fields)


def parse_money(
    value: Any, name: str, errors: Errors, *, required: bool = True, label: str = ""
) -> Decimal | None:
    """An amount in yuan: a number ≥ 0 with at most two decimals; None (and an error when required) if blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(name, _("请填写%(label)s。") % {"label": label or _("金额")})
        return None
    message = _("%(label)s格式不正确：请填写不小于0、最多两位小数的金额（元）。") % {
        "label": label or _("金额")
    }
    if isinstance(value, float | bool):
        errors.add(name, message)
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.add(name, message)
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or amount < 0 or amount > MAX_AMOUNT:  # type: ignore[operator]
        errors.add(name, message)
        return None
    return amount.quantize(CENT)


def parse_date(
    value: Any, name: str, errors: Errors, *, required: bool = True, label: str = ""
) -> datetime.date | None:
    """A date written ``YYYY-MM-DD`` (or a date); None (and an error when required) if blank or bad."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or not str(value).strip():
        if required:
            errors.add(name, _("请填写%(label)s。") % {"label": label or _("日期")})
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(
            name, _("%(label)s格式不正确，应为“年-月-日”，如 2026-03-01。") % {"label": label or _("日期")}
        )
        return None


def _text(data: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()[:limit]


def _code(data: Mapping[str, Any], name: str, list_name: str, label: str, errors: Errors) -> str:
    value = _text(data, name, 16)
    if not value:
        errors.add(name, _("请选择%(label)s。") % {"label": label})
        return ""
    problem = codes.check(list_name, value)
    if problem:
        errors.add(name, f"{label}：{problem}")
    return value


def _rows(value: Any, name: str, errors: Errors, limit: int) -> list[Mapping[str, Any]]:
    """A list of row mappings (blank rows dropped), or an error."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(row, Mapping) for row in value):
        errors.add(name, _("格式不正确。"))
        return []
    rows = [row for row in value if any(str(v).strip() for v in row.values() if v is not None)]
    if len(rows) > limit:
        errors.add(name, _("最多%(count)d行。") % {"count": limit})
        return []
    return rows


@dataclass
class Cleaned:
    """A contract form checked: the row's values, its parts and its payment plan."""

    values: dict[str, Any] = field(default_factory=dict)
    parts: list[ContractPart] = field(default_factory=list)
    buyer_region: Region | None = None


def clean(data: Mapping[str, Any]) -> Cleaned:
    """Check every field of a contract form; a DomainError naming each bad field, else the values."""
    errors = Errors()
    out = Cleaned()
    values = out.values
    title = _text(data, "title", MAX_TITLE + 1)
    if not title:
        errors.add("title", _("请填写合同名称。"))
    elif len(title) > MAX_TITLE:
        errors.add("title", _("合同名称最多%(count)d个字。") % {"count": MAX_TITLE})
    values["title"] = title
    subtype = _text(data, "subtype", 40)
    contract_type = TYPE_OF_SUBTYPE.get(subtype) if subtype else None
    if contract_type is None:
        errors.add("subtype", _("合同类别不正确：请从技术开发、转让、许可、咨询、服务的类别中选择。"))
    values["subtype"] = subtype
    values["contract_type"] = contract_type or ""
    values["seller_entity_type"] = _code(
        data, "seller_entity_type", "entity_types", _("卖方法人类型"), errors
    )
    values["buyer_entity_type"] = _code(data, "buyer_entity_type", "entity_types", _("买方法人类型"), errors)
    values["technology_field"] = _code(data, "technology_field", "technology_fields", _("技术领域"), errors)
    values["ip_type"] = _code(data, "ip_type", "ip_types", _("知识产权类型"), errors)
    values["plan_source"] = _code(data, "plan_source", "plan_sources", _("计划来源"), errors)
    _clean_buyer(data, errors, out)
    signed_on = parse_date(data.get("signed_on"), "signed_on", errors, label=_("签订日期"))
    term_start = parse_date(
        data.get("term_start"), "term_start", errors, required=False, label=_("履行期限起")
    )
    term_end = parse_date(data.get("term_end"), "term_end", errors, required=False, label=_("履行期限止"))
    if term_start and term_end and term_end < term_start:
        errors.add("term_end", _("履行期限止不能早于履行期限起。"))
    values.update(signed_on=signed_on, term_start=term_start, term_end=term_end)
    total = parse_money(data.get("total_amount"), "total_amount", errors, label=_("合同总金额"))
    values["total_amount"] = total
    parts_total = _clean_parts(data, errors, out)
    if total is not None and parts_total is not None:
        if parts_total > total:
            errors.add(
                "parts",
                _("非技术性款项合计 %(parts)s 元超过合同总金额 %(total)s 元，核定技术交易额不能为负。")
                % {"parts": parts_total, "total": total},
            )
        values["certified_amount"] = max(total - parts_total, Decimal("0.00"))
    values["payment_plan"] = _clean_plan(data, errors, total)
    for name, label in (("expected_investment", _("预计新增投资")), ("expected_output", _("预计新增产值"))):
        required = contract_type in NEEDS_EXPECTATIONS
        values[name] = parse_money(data.get(name), name, errors, required=required, label=label)
    errors.raise_if_any()
    return out


def _clean_buyer(data: Mapping[str, Any], errors: Errors, out: Cleaned) -> None:
    values = out.values
    name = _text(data, "buyer_name", MAX_TITLE + 1)
    if not name:
        errors.add("buyer_name", _("请填写买方名称。"))
    elif len(name) > MAX_TITLE:
        errors.add("buyer_name", _("买方名称最多%(count)d个字。") % {"count": MAX_TITLE})
    values["buyer_name"] = name
    country = _text(data, "buyer_country_code", 8) or CHINA_COUNTRY_CODE
    problem = codes.check("countries", country)
    if problem:
        errors.add("buyer_country_code", _("买方国家或地区代码：%(problem)s") % {"problem": problem})
    values["buyer_country_code"] = country
    credit = _text(data, "buyer_credit_code", 32).upper()
    if credit and country == CHINA_COUNTRY_CODE:
        try:
            validate_uscc(credit)
        except ValidationError as error:
            errors.add("buyer_credit_code", " ".join(str(m) for m in error.messages))
    if len(credit) > 18:
        errors.add("buyer_credit_code", _("统一社会信用代码应为18位。"))
    values["buyer_credit_code"] = credit
    region_code = _text(data, "buyer_region_code", 16)
    chain = {"province_code": "", "city_code": "", "county_code": ""}
    if country == CHINA_COUNTRY_CODE:
        if not (len(region_code) == 6 and region_code.isascii() and region_code.isdigit()):
            errors.add("buyer_region_code", _("买方行政区划代码应为6位数字（GB/T 2260）。"))
        else:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                errors.add(
                    "buyer_region_code",
                    _("买方行政区划代码“%(code)s”不是已知的行政区划。") % {"code": region_code},
                )
            else:
                out.buyer_region = region
                chain = region.chain_codes()
    elif region_code:
        errors.add("buyer_region_code", _("境外买方不填行政区划代码，请填写国家或地区代码。"))
    values["buyer_region_code"] = region_code if country == CHINA_COUNTRY_CODE else ""
    values["buyer_province_code"] = chain["province_code"]
    values["buyer_city_code"] = chain["city_code"]
    values["buyer_county_code"] = chain["county_code"]


def _clean_parts(data: Mapping[str, Any], errors: Errors, out: Cleaned) -> Decimal | None:
    """The non-technical parts, each with its kind and amount; their sum (None when one is bad)."""
    total = Decimal("0.00")
    ok = True
    for index, row in enumerate(_rows(data.get("parts"), "parts", errors, MAX_PARTS), start=1):
        kind = str(row.get("kind") or "").strip()
        where = _("非技术性款项第%(n)d行") % {"n": index}
        if not kind:
            errors.add("parts", _("%(where)s：请选择款项类别。") % {"where": where})
            ok = False
        elif codes.check("non_technical_parts", kind):
            errors.add("parts", f"{where}：{codes.check('non_technical_parts', kind)}")
            ok = False
        amount = parse_money(row.get("amount"), "parts", errors, label=f"{where}{_('金额')}")
        note = str(row.get("note") or "").strip()
        if len(note) > 200:
            errors.add("parts", _("%(where)s：说明最多200个字。") % {"where": where})
            ok = False
        if amount is None:
            ok = False
            continue
        total += amount
        out.parts.append(ContractPart(kind=kind, amount=amount, note=note))
    return total if ok else None


def _clean_plan(data: Mapping[str, Any], errors: Errors, total: Decimal | None) -> list[dict[str, str]]:
    """The payment plan: rows of due date and amount (> 0), summing to at most the total."""
    plan: list[dict[str, str]] = []
    planned = Decimal("0.00")
    for index, row in enumerate(_rows(data.get("payment_plan"), "payment_plan", errors, MAX_PLAN_ROWS), 1):
        where = _("支付计划第%(n)d行") % {"n": index}
        due = parse_date(row.get("due_on"), "payment_plan", errors, label=f"{where}{_('支付日期')}")
        amount = parse_money(row.get("amount"), "payment_plan", errors, label=f"{where}{_('金额')}")
        if amount is not None and amount == 0:
            errors.add("payment_plan", _("%(where)s：金额应大于0。") % {"where": where})
            continue
        if due is None or amount is None:
            continue
        planned += amount
        plan.append({"due_on": due.isoformat(), "amount": str(amount)})
    if total is not None and planned > total:
        errors.add(
            "payment_plan",
            _("支付计划合计 %(planned)s 元超过合同总金额 %(total)s 元。")
            % {"planned": planned, "total": total},
        )
    return plan


def contract_values(contract: TechContract) -> dict[str, Any]:
    """The stored contract as form data (what ``clean`` reads): to re-check it, or to edit part of it."""
    data: dict[str, Any] = {name: getattr(contract, name) for name in TEXT_FIELDS}
    data.update(
        signed_on=contract.signed_on,
        term_start=contract.term_start,
        term_end=contract.term_end,
        total_amount=contract.total_amount,
        expected_investment=contract.expected_investment,
        expected_output=contract.expected_output,
        payment_plan=list(contract.payment_plan or []),
        parts=[
            {"kind": part.kind, "amount": part.amount, "note": part.note}
            for part in ContractPart.objects.filter(contract_id=contract.pk).order_by("id")
        ]
        if contract.pk
        else [],
        brokered_contract=contract.brokered_contract_id,
    )
    return data


def _pdf(upload: UploadedFile) -> UploadedFile:
    """The signed contract: a real, readable PDF within the size limit (a DomainError on ``signed_pdf``)."""
    try:
        check_upload(upload, kinds=(PDF,), max_bytes=MAX_PDF_BYTES)
    except DomainError as error:
        raise DomainError(error.code, error.message, fields={"signed_pdf": [str(error.message)]}) from None
    problem = pdf_problem(upload)
    if problem is not None:
        message = _("合同文本须为可打开、未加密的 PDF 文件。")
        raise DomainError("signed_pdf_invalid", message, fields={"signed_pdf": [message]})
    upload.seek(0)
    return upload


# --- the once-only rule -----------------------------------------------------------------------------------


def _same_contract_q(contract: TechContract) -> Q:
    seller = (
        Q(seller_credit_code=contract.seller_credit_code)
        if contract.seller_credit_code
        else Q(seller_organisation_id=contract.seller_organisation_id)
    )
    buyer = (
        Q(buyer_credit_code=contract.buyer_credit_code)
        if contract.buyer_credit_code
        else Q(buyer_name=contract.buyer_name)
    )
    return seller & buyer & Q(signed_on=contract.signed_on, total_amount=contract.total_amount)


def refuse_duplicate(contract: TechContract) -> None:
    """Refuse a second filing of the same contract among the live ones (clear message, nothing changed)."""
    other = (
        TechContract.objects.filter(_same_contract_q(contract))
        .exclude(state__in=DEAD_STATES)
        .exclude(pk=contract.pk)
        .order_by("pk")
        .first()
    )
    if other is None:
        return
    if other.registration_number:
        message = _("该合同已经登记（合同登记编号 %(number)s）：同一份技术合同只能登记一次。") % {
            "number": other.registration_number
        }
    else:
        message = _(
            "该合同已经在办理登记（%(state)s）：同一份技术合同（相同卖方、买方、签订日期和合同金额）只能登记一次。"
        ) % {"state": other.get_state_display()}
    raise DomainError("duplicate_contract", message)


def _refuse_deal_taken(deal_id: int | None, exclude: int | None = None) -> None:
    if deal_id is None:
        return
    other = (
        TechContract.objects.filter(deal_id=deal_id)
        .exclude(state__in=DEAD_STATES)
        .exclude(pk=exclude or 0)
        .first()
    )
    if other is not None:
        raise DomainError(
            "deal_has_contract",
            _("该成交已有技术合同（%(state)s），一项成交只能办理一份合同登记。")
            % {"state": other.get_state_display()},
        )


# --- drafts -----------------------------------------------------------------------------------------------


def _seller_for(principal: Principal, seller_id: Any) -> tuple[Organisation, int | None]:
    """(the seller organisation, the agency filing for it or None) for a new draft; NotPermitted otherwise."""
    own = principal.organisation_id
    if own is None:
        raise NotPermitted(_("只有单位用户可以办理技术合同登记。"))
    try:
        wanted = int(seller_id) if seller_id not in (None, "") else own
    except (TypeError, ValueError):
        raise DomainError(
            "invalid_contract", _("卖方单位不正确。"), fields={"seller_organisation": [_("卖方单位不正确。")]}
        ) from None
    if wanted == own:
        if not policies.files_for_own_organisation(principal):
            raise NotPermitted(_("只有本单位的成果填报人、企业用户或单位管理员可以办理技术合同登记。"))
        agency = None
    else:
        if not policies.files_as_agency(
            principal
        ) or wanted not in trading_selectors.authorising_organisation_ids(own):
            raise NotPermitted(_("技术转移机构只能为授权委托本机构的单位办理合同登记。"))
        agency = own
    seller = account_selectors.organisations_by_id([wanted]).select_related("region").first()
    if seller is None:  # pragma: no cover - an authorisation names an existing organisation
        raise NotPermitted()
    return seller, agency


def _seller_values(seller: Organisation) -> dict[str, Any]:
    chain = seller.region.chain_codes()
    return {
        "seller_organisation": seller,
        "seller_name": seller.name,
        "seller_credit_code": seller.credit_code or "",
        "seller_region": seller.region,
        "seller_province_code": chain["province_code"],
        "seller_city_code": chain["city_code"],
        "seller_county_code": chain["county_code"],
    }


def _brokered(principal: Principal, data: Mapping[str, Any], subtype: str, own_pk: int | None) -> int | None:
    """The contract a 技术中介 contract brokered: one the filer may see, live, not itself."""
    value = data.get("brokered_contract")
    if value in (None, ""):
        return None
    message = _("只有技术中介合同可以关联其居间的合同，且须为您可查看的有效合同。")
    if subtype != ContractSubtype.SERVICE_INTERMEDIARY:
        raise DomainError("invalid_contract", message, fields={"brokered_contract": [message]})
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_contract", message, fields={"brokered_contract": [message]}) from None
    if not 0 < pk < 2**31:
        raise DomainError("invalid_contract", message, fields={"brokered_contract": [message]})
    found = (
        TechContract.objects.filter(policies.visible_q(principal), pk=pk)
        .exclude(state__in=DEAD_STATES)
        .exclude(pk=own_pk or 0)
        .exists()
    )
    if not found:
        raise DomainError("invalid_contract", message, fields={"brokered_contract": [message]})
    return pk


def _buyer_organisation(data: Mapping[str, Any]) -> Organisation | None:
    """The buyer's platform organisation named by id (API, deals). Without one, the callers link the verified
    organisation holding the buyer's credit code (the web form names the buyer by name and code)."""
    value = data.get("buyer_organisation")
    if value in (None, ""):
        return None
    message = _("买方单位不存在。")
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid_contract", message, fields={"buyer_organisation": [message]}) from None
    if not 0 < pk < 2**31:
        raise DomainError("invalid_contract", message, fields={"buyer_organisation": [message]})
    organisation = account_selectors.organisations_by_id([pk]).first()
    if organisation is None:
        raise DomainError("invalid_contract", message, fields={"buyer_organisation": [message]})
    return organisation


def _apply(contract: TechContract, cleaned: Cleaned) -> None:
    for name, value in cleaned.values.items():
        setattr(contract, name, value)


def _save_parts(contract: TechContract, parts: list[ContractPart]) -> None:
    ContractPart.objects.filter(contract=contract).delete()
    for part in parts:
        part.pk = None
        part.contract = contract
    ContractPart.objects.bulk_create(parts)


def _audit_data(contract: TechContract, cleaned: Cleaned) -> dict[str, Any]:
    return {
        "total_amount": str(contract.total_amount),
        "certified_amount": str(contract.certified_amount),
        "parts": [{"kind": p.kind, "amount": str(p.amount)} for p in cleaned.parts],
        "payment_plan_rows": len(contract.payment_plan or []),
    }


def contract_create(
    *, actor: User, data: Mapping[str, Any], signed_pdf: UploadedFile | None = None
) -> TechContract:
    """A new draft, filed by the seller's filer or an authorised agency (``data["seller_organisation"]``)."""
    principal = principal_of(actor)
    seller, agency = _seller_for(principal, data.get("seller_organisation"))
    cleaned = clean(data)
    buyer = _buyer_organisation(data) or account_selectors.verified_organisation_by_credit_code(
        cleaned.values["buyer_credit_code"]
    )
    upload = _pdf(signed_pdf) if signed_pdf is not None else None
    with transaction.atomic():
        contract = TechContract(
            filed_by=actor, agency_organisation_id=agency, buyer_organisation=buyer, **_seller_values(seller)
        )
        _apply(contract, cleaned)
        contract.brokered_contract_id = _brokered(principal, data, cleaned.values["subtype"], None)
        refuse_duplicate(contract)
        CONTRACT_WORKFLOW.start(contract, "create", actor=actor, data=_audit_data(contract, cleaned))
        _save_parts(contract, cleaned.parts)
        if upload is not None:
            contract.signed_pdf.save(upload.name or "contract.pdf", upload, save=False)
            contract.save(update_fields=["signed_pdf"])
    return contract


def _lock(contract: TechContract) -> TechContract:
    return TechContract.objects.select_for_update(of=("self",)).get(pk=contract.pk)


def _require(contract: TechContract, name: str, actor: Any) -> None:
    """Refuse a transition not allowed now: the state first for the contract's people, else NotPermitted."""
    transition = CONTRACT_WORKFLOW.get(name)
    if CONTRACT_WORKFLOW.permission(actor, name, contract):
        if contract.state not in transition.sources:
            raise InvalidTransition(
                _("当前状态“%(state)s”不允许执行“%(action)s”。")
                % {"state": contract.get_state_display(), "action": transition.label}
            )
        return
    raise NotPermitted()


def contract_update(
    *, actor: User, contract: TechContract, data: Mapping[str, Any], signed_pdf: UploadedFile | None = None
) -> TechContract:
    """Change a draft or returned contract: the fields given replace the stored ones, each checked again."""
    principal = principal_of(actor)
    with transaction.atomic():
        locked = _lock(contract)
        if not policies.can_edit_contract(principal, locked):
            if policies.may_file(principal, locked):
                raise InvalidTransition(_("只有草稿或退回补正的合同可以修改。"))
            raise NotPermitted()
        merged = {
            **contract_values(locked),
            **{k: v for k, v in data.items() if k not in ("seller_organisation",)},
        }
        cleaned = clean(merged)
        if "buyer_organisation" in data:
            buyer = _buyer_organisation(data)
        elif cleaned.values["buyer_credit_code"] != locked.buyer_credit_code:
            buyer = account_selectors.verified_organisation_by_credit_code(
                cleaned.values["buyer_credit_code"]
            )
        else:
            buyer = locked.buyer_organisation
        upload = _pdf(signed_pdf) if signed_pdf is not None else None
        before = {name: str(getattr(locked, name)) for name in cleaned.values}
        _apply(locked, cleaned)
        locked.buyer_organisation = buyer
        locked.brokered_contract_id = _brokered(principal, merged, cleaned.values["subtype"], locked.pk)
        refuse_duplicate(locked)
        locked.save()
        _save_parts(locked, cleaned.parts)
        if upload is not None:
            locked.signed_pdf.save(upload.name or "contract.pdf", upload, save=False)
            locked.save(update_fields=["signed_pdf"])
        changed = sorted(name for name in cleaned.values if before[name] != str(getattr(locked, name)))
        record_event(
            actor=actor,
            action="contracts.techcontract.update",
            target=locked,
            data={**_audit_data(locked, cleaned), "changed": changed, "pdf": upload is not None},
        )
    return locked


def _draft_title(subject: str, type_label: str) -> str:
    """ "<subject><type>合同" without a doubled 技术 ("…制备技术" + "技术转让" → "…制备技术转让合同")."""
    if subject.endswith("技术") and type_label.startswith("技术"):
        subject = subject[: -len("技术")]
    return f"{subject}{type_label}合同"[:MAX_TITLE]


# The achievement's IP rights (achievements.PatentType) as the form's IP type, the strongest first.
IP_TYPE_OF_RIGHT = (
    ("invention", "02"),
    ("utility", "03"),
    ("design", "04"),
    ("software", "05"),
    ("other", "09"),
)


def ip_type_of_deal(deal: Any) -> str:
    """The IP type the listed achievement's rights suggest ("" when it lists none: the seller chooses
    between 技术秘密 and 未涉及知识产权)."""
    achievement_id = getattr(deal.listing, "achievement_id", None) if deal.listing_id else None
    if achievement_id is None:
        return ""
    kinds = set(deal.listing.achievement.ip_rights.values_list("ip_type", flat=True))
    return next((code for kind, code in IP_TYPE_OF_RIGHT if kind in kinds), "")


def draft_from_deal(*, actor: User, deal: Any) -> TechContract:
    """A draft prefilled from a deal of the trading floor (parties, price ×10000 yuan, kind, agency): by
    the deal's seller side (its filers, or the deal's broker organisation). One live contract per deal."""
    if not policies.can_file_from_deal(principal_of(actor), deal):
        raise NotPermitted(_("只有成交的卖方（或其技术经纪机构）可以办理技术合同登记。"))
    seller = deal.seller_organisation
    buyer = deal.buyer_organisation
    subtype = SUBTYPE_OF_DEAL.get(deal.contract_type, ContractSubtype.TRANSFER_OTHER)
    subject = (deal.contract or {}).get("subject") or str(_("成交 %(number)s") % {"number": deal.number})
    total = (Decimal(deal.price) * YUAN_PER_WAN).quantize(CENT)
    buyer_chain = buyer.region.chain_codes()
    contract = TechContract(
        title=_draft_title(subject, str(ContractType(TYPE_OF_SUBTYPE[subtype]).label)),
        contract_type=TYPE_OF_SUBTYPE[subtype],
        subtype=subtype,
        filed_by=actor,
        agency_organisation_id=deal.broker_organisation_id,
        seller_entity_type=ENTITY_OF_KIND.get(seller.kind, "90"),
        buyer_organisation=buyer,
        buyer_name=buyer.name,
        buyer_credit_code=buyer.credit_code or "",
        buyer_entity_type=ENTITY_OF_KIND.get(buyer.kind, "90"),
        buyer_country_code=CHINA_COUNTRY_CODE,
        buyer_region_code=buyer.region.code,
        buyer_province_code=buyer_chain["province_code"],
        buyer_city_code=buyer_chain["city_code"],
        buyer_county_code=buyer_chain["county_code"],
        signed_on=timezone.localtime(deal.dealt_at).date(),
        total_amount=total,
        certified_amount=total,
        payment_plan=[],
        technology_field="",
        ip_type=ip_type_of_deal(deal),
        plan_source="",
        deal_id=deal.pk,
        **_seller_values(seller),
    )
    try:
        with transaction.atomic():
            _refuse_deal_taken(deal.pk)
            CONTRACT_WORKFLOW.start(
                contract, "create", actor=actor, data={"deal": deal.pk, "total_amount": str(total)}
            )
    except IntegrityError:  # another filer made it at the same moment (the live-contract constraint)
        _refuse_deal_taken(deal.pk)
        raise
    return contract


# --- the filer's transitions ------------------------------------------------------------------------------


def contract_submit(*, actor: User, contract: TechContract) -> TechContract:
    """提交登记: the whole form checked again, the signed PDF attached, not filed twice."""
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "submit", actor)
        clean(contract_values(locked))
        if not locked.signed_pdf:
            message = _("请上传双方签字盖章的合同文本（PDF）后再提交。")
            raise DomainError("signed_pdf_missing", message, fields={"signed_pdf": [message]})
        refuse_duplicate(locked)
        _refuse_deal_taken(locked.deal_id, exclude=locked.pk)
        return CONTRACT_WORKFLOW.fire(locked, "submit", actor=actor, changes={"submitted_at": clock.now()})


def contract_withdraw(*, actor: User, contract: TechContract, reason: str = "") -> TechContract:
    """撤回: the filer takes it back before the registry reviews it (a draft, submitted or returned)."""
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "withdraw", actor)
        return CONTRACT_WORKFLOW.fire(locked, "withdraw", actor=actor, reason=reason)


# --- the registry's transitions ---------------------------------------------------------------------------


def contract_start_review(*, actor: User, contract: TechContract) -> TechContract:
    """开始审查: the registry takes a submitted contract."""
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "start_review", actor)
        return CONTRACT_WORKFLOW.fire(locked, "start_review", actor=actor)


def contract_return(*, actor: User, contract: TechContract, reason: str) -> TechContract:
    """退回补正 with the reasons the filer must address."""
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "return", actor)
        reason = (reason or "").strip()[:2000]
        return CONTRACT_WORKFLOW.fire(
            locked, "return", actor=actor, reason=reason, changes={"return_reason": reason}
        )


def contract_refuse(*, actor: User, contract: TechContract, reason: str) -> TechContract:
    """不予登记 with reasons: final."""
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "refuse", actor)
        reason = (reason or "").strip()[:2000]
        return CONTRACT_WORKFLOW.fire(
            locked, "refuse", actor=actor, reason=reason, changes={"refusal_reason": reason}
        )


def registry_code_for(principal: Principal, contract: TechContract) -> str:
    """The region code of the registry the registrar registers for: the nearest on the seller's chain."""
    for code in policies.seller_chain(contract):
        if code in principal.registry_codes:
            return code
    raise NotPermitted()


def next_serial(region_code: str, year: int, type_digit: str) -> int:
    """The next serial of a registry, year and type, under the counter row's lock (inside the caller's
    transaction): concurrent registrations queue on the row; a number is never given twice."""
    RegistrationSerial.objects.bulk_create(
        [RegistrationSerial(region_code=region_code, year=year, type_digit=type_digit)], ignore_conflicts=True
    )
    row = RegistrationSerial.objects.select_for_update().get(
        region_code=region_code, year=year, type_digit=type_digit
    )
    if row.last_serial >= MAX_SERIAL:
        raise DomainError("serial_exhausted", _("本登记机构本年度该类合同登记编号已用完，请联系平台管理员。"))
    row.last_serial += 1
    row.save(update_fields=["last_serial"])
    return row.last_serial


def new_verification_code() -> str:
    """A random code of 16 unambiguous characters, not used by any other certificate."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not TechContract.objects.filter(verification_code=code).exists():
            return code


def contract_register(
    *,
    actor: User,
    contract: TechContract,
    certified_amount: Any = None,
    correction_reason: str = "",
) -> TechContract:
    """予以登记: the certified amount (the computed one, or the registrar's correction with a reason, never
    above the total), the 16-digit number, a verification code; ``contract_registered`` is sent."""
    principal = principal_of(actor)
    with transaction.atomic():
        locked = _lock(contract)
        _require(locked, "register", actor)
        parts = ContractPart.objects.filter(contract=locked).aggregate(total=Sum("amount"))["total"]
        computed = max(locked.total_amount - (parts or Decimal("0")), Decimal("0")).quantize(CENT)
        certified = computed
        reason = (correction_reason or "").strip()[:2000]
        if certified_amount not in (None, ""):
            errors = Errors()
            corrected = parse_money(certified_amount, "certified_amount", errors, label=_("核定技术交易额"))
            errors.raise_if_any()
            if corrected is None or corrected > locked.total_amount:
                message = _("核定技术交易额不能超过合同总金额 %(total)s 元。") % {
                    "total": locked.total_amount
                }
                raise DomainError("invalid_contract", message, fields={"certified_amount": [message]})
            if corrected != computed and not reason:
                message = _("调整核定技术交易额须填写理由。")
                raise DomainError("reason_required", message, fields={"correction_reason": [message]})
            certified = corrected
        refuse_duplicate(locked)
        region_code = registry_code_for(principal, locked)
        now = clock.now()
        year = timezone.localtime(now).year
        digit = TYPE_DIGIT[locked.contract_type]
        serial = next_serial(region_code, year, digit)
        number = f"{region_code}{year:04d}{digit}{serial:05d}"
        data = {
            "registration_number": number,
            "certified_amount": str(certified),
            "computed_amount": str(computed),
        }
        return CONTRACT_WORKFLOW.fire(
            locked,
            "register",
            actor=actor,
            reason=reason if certified != computed else "",
            changes={
                "registration_number": number,
                "verification_code": new_verification_code(),
                "certified_amount": certified,
                "registered_at": now,
                "registered_by": actor,
            },
            data=data,
        )


def contract_transition(
    *, actor: User, contract: TechContract, name: str, reason: str = "", **more: Any
) -> TechContract:
    """Fire a transition by name (pages and the API): the same services as above."""
    if name == "submit":
        return contract_submit(actor=actor, contract=contract)
    if name == "withdraw":
        return contract_withdraw(actor=actor, contract=contract, reason=reason)
    if name == "start_review":
        return contract_start_review(actor=actor, contract=contract)
    if name == "return":
        return contract_return(actor=actor, contract=contract, reason=reason)
    if name == "refuse":
        return contract_refuse(actor=actor, contract=contract, reason=reason)
    if name == "register":
        return contract_register(
            actor=actor,
            contract=contract,
            certified_amount=more.get("certified_amount"),
            correction_reason=more.get("correction_reason") or reason,
        )
    raise InvalidTransition(_("未知的操作：%(name)s") % {"name": name})
