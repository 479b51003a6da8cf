"""Writes for accounts: self-registration, organisation verification, members and roles."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import backends, policies, totp
from techmarket.accounts.choices import REGIONAL_ROLES, OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import (
    ApiToken,
    Organisation,
    RecoveryCode,
    RoleAssignment,
    TwoFactorDevice,
    User,
)
from techmarket.accounts.workflow import ORGANISATION_WORKFLOW
from techmarket.core.audit import record_event
from techmarket.core.errors import DomainError, NotPermitted
from techmarket.core.models import Region


def _validation_to_domain(error: ValidationError, field_name: str | None = None) -> DomainError:
    if hasattr(error, "error_dict"):
        fields = {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    else:
        fields = {field_name or "__all__": list(error.messages)}
    return DomainError("invalid", _("提交的信息有误，请检查标出的字段。"), fields=fields)


def default_roles_for(kind: str) -> list[str]:
    """Roles the registering person gets: enterprises file demands, research bodies file achievements."""
    if kind == OrganisationKind.ENTERPRISE:
        return [Role.ORG_ADMIN, Role.ENTERPRISE, Role.APPLICANT]
    if kind == OrganisationKind.AGENCY:
        return [Role.ORG_ADMIN, Role.BROKER, Role.APPLICANT]
    return [Role.ORG_ADMIN, Role.APPLICANT]


ACCOUNT_EXISTS_CODES = frozenset({"organisation_exists", "username_taken", "email_taken", "phone_taken"})


@transaction.atomic
def organisation_register(
    *,
    name: str,
    kind: str,
    credit_code: str,
    region: Region,
    username: str,
    password: str,
    display_name: str,
    email: str,
    phone: str = "",
    active: bool = True,
) -> User:
    """Self-registration: a new organisation (pending verification) and its first user, its administrator.

    Everything about the form (fields, password rules) is checked before whether the organisation, the
    username, the e-mail address or the phone number is already registered, so an answer about the form
    never depends on who is registered. ``active=False`` (the registration page) leaves the account
    closed until its e-mail address is confirmed (:func:`user_activate`).
    """
    credit_code = credit_code.strip().upper()
    email = email.strip()
    phone = phone.strip()
    organisation = Organisation(name=name.strip(), kind=kind, credit_code=credit_code, region=region)
    try:
        organisation.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _validation_to_domain(error) from error
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email,
        phone=phone,
        is_active=active,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise _validation_to_domain(error, "password") from error
    if Organisation.objects.filter(credit_code=credit_code).exists():
        raise DomainError(
            "organisation_exists",
            _("该统一社会信用代码的单位已注册，请联系本单位管理员为您开通账号。"),
            fields={"credit_code": [_("该单位已注册。")]},
        )
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "username_taken", _("用户名已被使用。"), fields={"username": [_("用户名已被使用。")]}
        )
    if email and User.objects.filter(email__iexact=email).exists():
        raise DomainError("email_taken", _("该电子邮箱已注册。"), fields={"email": [_("该电子邮箱已注册。")]})
    if phone and User.objects.filter(phone=phone).exists():
        raise DomainError("phone_taken", _("该手机号已注册。"), fields={"phone": [_("该手机号已注册。")]})
    organisation.save()
    user.organisation = organisation
    user.set_password(password)
    user.save()
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role) for role in default_roles_for(kind)
    )
    record_event(
        actor=user,
        action="accounts.organisation.register",
        target=organisation,
        to_state=OrganisationStatus.PENDING,
    )
    record_event(actor=user, action="accounts.user.register", target=user)
    return user


def registration_activation_send(*, user: User, activate_url: str) -> None:
    """E-mail the confirmation link that opens a self-registered account (after the transaction commits)."""
    body = render_to_string("accounts/activation_email.txt", {"user": user, "url": activate_url})
    transaction.on_commit(
        lambda: send_mail(str(_("科技大市场：请确认您的注册")), body, None, [user.email], fail_silently=True)
    )


def registration_collision_notify(
    *, username: str, email: str, phone: str, credit_code: str, login_url: str, reset_url: str
) -> int:
    """Someone tried to register with the details of existing accounts: tell those accounts' owners by
    e-mail (the registration page answers the visitor exactly as for a new registration). Audited on each
    account told. Returns how many were told."""
    match = Q(username=username)
    if email.strip():
        match |= Q(email__iexact=email.strip())
    if phone.strip():
        match |= Q(phone=phone.strip())
    credit_code = credit_code.strip().upper()
    if credit_code:
        match |= Q(organisation__credit_code=credit_code, roles__role=Role.ORG_ADMIN)
    owners = list(User.objects.filter(match, is_active=True).exclude(email="").distinct().order_by("pk"))
    for owner in owners:
        body = render_to_string(
            "accounts/registration_exists_email.txt",
            {"user": owner, "login_url": login_url, "reset_url": reset_url},
        )
        transaction.on_commit(
            functools.partial(
                send_mail,
                str(_("科技大市场：有人尝试用您的信息注册")),
                body,
                None,
                [owner.email],
                fail_silently=True,
            )
        )
        record_event(actor=None, action="accounts.registration.collision", target=owner)
    return len(owners)


@transaction.atomic
def user_activate(*, user: User) -> User:
    """Open a self-registered account whose owner followed the e-mailed link (audited)."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(actor=user, action="accounts.user.activate", target=user)
    return user


def organisation_verify(*, actor: Any, organisation: Organisation, reason: str = "") -> Organisation:
    """A platform administrator confirms the organisation is real; only then may its users submit records."""
    return ORGANISATION_WORKFLOW.fire(
        organisation, "verify", actor=actor, reason=reason, changes={"verified_at": timezone.now()}
    )


def organisation_reject(*, actor: Any, organisation: Organisation, reason: str) -> Organisation:
    """Refuse (or withdraw) the verification, with the reason the organisation is shown."""
    if not policies.can_verify_organisation(policies.principal_of(actor)):
        raise NotPermitted()
    if not (reason or "").strip():
        raise DomainError(
            "reason_required", _("不予认证必须填写理由。"), fields={"reason": [_("请填写理由。")]}
        )
    return ORGANISATION_WORKFLOW.fire(
        organisation, "reject", actor=actor, reason=reason, changes={"verified_at": None}
    )


def member_create(
    *,
    actor: Any,
    organisation: Organisation,
    username: str,
    password: str,
    display_name: str,
    email: str,
    roles: list[str],
    phone: str = "",
) -> User:
    """An organisation administrator opens an account for a colleague."""
    principal = policies.principal_of(actor)
    if not policies.can_manage_members(principal, organisation.pk):
        raise NotPermitted()
    if any(not policies.can_grant_role(principal, role) for role in roles):
        raise NotPermitted(_("您不能授予所选角色。"))
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "username_taken", _("用户名已被使用。"), fields={"username": [_("用户名已被使用。")]}
        )
    user = User(
        username=username, display_name=display_name, email=email, phone=phone, organisation=organisation
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise _validation_to_domain(error, "password") from error
    user.set_password(password)
    user.save()
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in roles)
    record_event(actor=actor, action="accounts.user.create", target=user, data={"roles": roles})
    return user


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: str, region: Region | None = None) -> RoleAssignment:
    """Grant a role; reviewer roles need the region they review and come from the platform administrator."""
    principal = policies.principal_of(actor)
    if not policies.can_grant_role(principal, role) or (
        not principal.is_platform_admin
        and not policies.can_manage_members(principal, user.organisation_id or 0)
    ):
        raise NotPermitted()
    if role in REGIONAL_ROLES and region is None:
        raise DomainError(
            "region_required", _("审核员和登记员必须指定管辖地区。"), fields={"region": [_("请选择地区。")]}
        )
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    record_event(
        actor=actor,
        action="accounts.role.grant",
        target=user,
        data={"role": role, "region": region.code if region else None},
    )
    policies.forget_principal(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    """Take a role away under the same rule as granting it (org admins only inside their organisation)."""
    principal = policies.principal_of(actor)
    if not policies.can_grant_role(principal, assignment.role) or (
        not principal.is_platform_admin
        and not policies.can_manage_members(principal, assignment.user.organisation_id or 0)
    ):
        raise NotPermitted()
    record_event(
        actor=actor,
        action="accounts.role.revoke",
        target=assignment.user,
        data={"role": assignment.role, "region": assignment.region_id},
    )
    assignment.delete()


def token_issue(*, user: User) -> ApiToken:
    """The caller's API token: the live one if any, else a new one valid for API_TOKEN_DAYS (audited)."""
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).first()
    if live is not None:
        return live
    token = ApiToken.objects.create(
        user=user,
        key=secrets.token_hex(20),
        expires_at=now + timedelta(days=settings.TECHMARKET["API_TOKEN_DAYS"]),
    )
    record_event(actor=user, action="accounts.token.issue", target=user, data={"token": token.prefix})
    return token


# Recording every use would write on every API call; the owner's list needs the day, not the second.
_LAST_USED_PRECISION = timedelta(minutes=5)


def token_authenticate(key: str) -> ApiToken | None:
    """The live token with this key (its user active), or None when unknown, expired or revoked."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key=key, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or now - token.last_used_at > _LAST_USED_PRECISION):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """The owner ends one of their tokens at once (nobody else may)."""
    if getattr(actor, "pk", None) != token.user_id:
        raise NotPermitted()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor, action="accounts.token.revoke", target=token.user, data={"token": token.prefix}
        )
    return token


@transaction.atomic
def sessions_end_all(*, actor: Any, revoke_tokens: bool = False) -> int:
    """End every signed-in session of the actor (this one too) and, if asked, every live API token.

    Returns how many tokens were revoked.
    """
    now = timezone.now()
    User.objects.filter(pk=actor.pk).update(sessions_revoked_at=now)
    revoked = 0
    if revoke_tokens:
        revoked = ApiToken.objects.filter(user_id=actor.pk, revoked_at__isnull=True).update(revoked_at=now)
    record_event(
        actor=actor, action="accounts.sessions.end_all", target=actor, data={"tokens_revoked": revoked}
    )
    return revoked


# --- Two-factor sign-in (TOTP) -------------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes (0/o, 1/l/i): ten characters, about 50 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TWO_FACTOR_WINDOW = 1  # one 30-second step either side of the server's clock


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode("utf-8")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten fresh ones; only their hashes are stored."""
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_hash_recovery(code)) for code in codes
    )
    return codes


def _code_refused(user: User, address: str) -> DomainError:
    backends.second_factor_failed(user.username, address)
    return DomainError(
        "invalid_code",
        _("验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字。"),
        fields={"code": [_("验证码不正确。")]},
    )


def _check_not_locked(user: User, address: str) -> None:
    if backends.is_second_factor_locked(user.username, address):
        raise DomainError(
            "two_factor_locked",
            _("验证码错误次数过多，账号已暂时锁定，请稍后再试。"),
            fields={"code": [_("尝试次数过多。")]},
        )


def _claim_step(device: TwoFactorDevice, code: str) -> bool:
    """Accept a TOTP code once: its time step must be later than the last one accepted (no replay).

    The conditional UPDATE decides, so two requests racing with the same code cannot both win.
    """
    step = totp.matching_step(device.secret, code, window=TWO_FACTOR_WINDOW)
    if step is None:
        return False
    claimed = (
        TwoFactorDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    return claimed == 1


def two_factor_start(*, user: User) -> TwoFactorDevice:
    """The device a user is enrolling: made once with a fresh secret, the same secret on every reload
    until a code confirms it."""
    device, _created = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()}
    )
    if device.is_confirmed:
        raise DomainError("two_factor_enrolled", _("已设置两步验证。"))
    return device


def two_factor_confirm(*, user: User, code: str, address: str = "") -> list[str]:
    """Finish enrolment with a code from the app: the device is confirmed and ten recovery codes are made.

    Returns the recovery codes, to be shown once. A wrong code counts toward the attempt limit.
    """
    _check_not_locked(user, address)
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise DomainError("two_factor_enrolled", _("已设置两步验证。"))
    if not _claim_step(device, code):
        raise _code_refused(user, address)
    with transaction.atomic():
        TwoFactorDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        codes = _new_recovery_codes(user)
        record_event(actor=user, action="accounts.two_factor.enrol", target=user)
    backends.second_factor_passed(user.username)
    return codes


def two_factor_verify(*, user: User, code: str, address: str = "") -> None:
    """Check the second step of a sign-in: a current TOTP code (never one already used) or an unused
    recovery code (then spent, audited). Raises DomainError when refused or locked out."""
    _check_not_locked(user, address)
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise DomainError("two_factor_not_enrolled", _("尚未设置两步验证。"))
    cleaned = (code or "").strip()
    if cleaned.replace(" ", "").isdigit():
        if not _claim_step(device, cleaned):
            raise _code_refused(user, address)
    else:
        spent = RecoveryCode.objects.filter(
            user=user, code_hash=_hash_recovery(cleaned), used_at__isnull=True
        ).update(used_at=timezone.now())
        if spent != 1:
            raise _code_refused(user, address)
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        record_event(actor=user, action="accounts.two_factor.recovery_used", target=user, data={"left": left})
    backends.second_factor_passed(user.username)


@transaction.atomic
def two_factor_reset(*, actor: Any, user: User, reason: str) -> None:
    """A platform administrator clears a user's second factor (a lost phone): the device and recovery codes
    go, the user's sessions end, and the next sign-in enrols a new authenticator. Audited with the reason."""
    if not policies.can_reset_two_factor(policies.principal_of(actor)):
        raise NotPermitted()
    if not (reason or "").strip():
        raise DomainError("reason_required", _("请填写理由。"), fields={"reason": [_("请填写理由。")]})
    had_device = TwoFactorDevice.objects.filter(user=user).delete()[0] > 0
    RecoveryCode.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(sessions_revoked_at=timezone.now())
    record_event(
        actor=actor,
        action="accounts.two_factor.reset",
        target=user,
        reason=reason.strip(),
        data={"had_device": had_device},
    )


def two_factor_enrol_fixed(*, user: User, secret: str) -> None:
    """Enrol a device with a given secret, confirmed (the demo's printed secret; test helpers)."""
    TwoFactorDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": None}
    )
