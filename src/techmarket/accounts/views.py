from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import policies, selectors, services, totp
from techmarket.accounts.activation import activation_tokens
from techmarket.accounts.backends import client_address
from techmarket.accounts.choices import Role
from techmarket.accounts.forms import (
    LoginForm,
    MemberForm,
    ReasonForm,
    RegistrationForm,
    RoleGrantForm,
    TwoFactorCodeForm,
    TwoFactorEnrolForm,
    TwoFactorResetForm,
)
from techmarket.accounts.http import acting_user
from techmarket.accounts.middleware import TWO_FACTOR_PENDING, TWO_FACTOR_VERIFIED
from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError
from techmarket.core.masking import mask_phone
from techmarket.core.web import apply_domain_error


class LoginView(auth_views.LoginView):
    """The password step. Users who need a second factor are not signed in yet: they go on to the code
    (or, the first time, to enrolling an authenticator) with the user remembered for a few minutes."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not policies.two_factor_required(principal_of(user)):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[TWO_FACTOR_PENDING] = {
            "user": user.pk,
            "at": timezone.now().timestamp(),
            "next": self.get_success_url(),
        }
        if selectors.two_factor_enrolled(user):
            return redirect("accounts:two_factor")
        return redirect("accounts:two_factor_enrol")


# The name authenticator apps show beside the account.
TOTP_ISSUER = "TechMarket"
# How long the password step is remembered while the user fetches their phone.
TWO_FACTOR_PENDING_SECONDS = 300


def _pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session a short while ago, or None."""
    pending = request.session.get(TWO_FACTOR_PENDING)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() - float(pending.get("at", 0)) > TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(TWO_FACTOR_PENDING, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _pending_expired(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("登录已超时，请重新输入用户名和密码。"))
    return redirect("accounts:login")


def _complete_login(request: HttpRequest, user: User) -> str:
    """Sign the user in after their second factor; returns where they were going."""
    pending = request.session.pop(TWO_FACTOR_PENDING, {})
    login(request, user, backend="techmarket.accounts.backends.ThrottledModelBackend")
    request.session[TWO_FACTOR_VERIFIED] = user.pk
    target = str(pending.get("next") or "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: the authenticator's code (or a recovery code)."""
    user = _pending_user(request)
    if user is None:
        return _pending_expired(request)
    if not selectors.two_factor_enrolled(user):
        return redirect("accounts:two_factor_enrol")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_verify(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect(_complete_login(request, user))
    return render(request, "accounts/two_factor.html", {"form": form})


def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a user who needs a second factor: add the secret to an authenticator app (text,
    otpauth URI or QR code), confirm with a code, then see the recovery codes once."""
    user = _pending_user(request)
    if user is None:
        return _pending_expired(request)
    if selectors.two_factor_enrolled(user):
        return redirect("accounts:two_factor")
    device = services.two_factor_start(user=user)
    form = TwoFactorEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                user=user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            target = _complete_login(request, user)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": target})
    uri = totp.provisioning_uri(device.secret, user.username, TOTP_ISSUER)
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "secret": device.secret,
            "secret_groups": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
            "uri": uri,
            "qr_svg": mark_safe(segno.make(uri, error="m").svg_inline(scale=4, omitsize=False)),  # noqa: S308
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("密码已重置，请使用新密码登录。"))
        return super().form_valid(form)


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration of an organisation and its administrator account.

    A registration that is accepted and one whose organisation, username, e-mail address or phone number
    is already registered get the same answer (a page asking to read the e-mail): the new account is
    opened by the link e-mailed to it, the existing accounts' owners are told by e-mail instead. The page
    never tells a stranger what is registered.
    """
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.organisation_register(
                name=data["organisation_name"],
                kind=data["organisation_kind"],
                credit_code=data["credit_code"],
                region=data["region"],
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
                phone=data.get("phone", ""),
                active=False,
            )
        except DomainError as error:
            if error.code not in services.ACCOUNT_EXISTS_CODES:
                apply_domain_error(form, error, {"name": "organisation_name", "kind": "organisation_kind"})
                return render(request, "accounts/register.html", {"form": form})
            # As long as a new registration takes: it hashes a password too.
            make_password(data["password"])
            services.registration_collision_notify(
                username=data["username"],
                email=data["email"],
                phone=data.get("phone", ""),
                credit_code=data["credit_code"],
                login_url=request.build_absolute_uri(reverse("accounts:login")),
                reset_url=request.build_absolute_uri(reverse("accounts:password_reset")),
            )
        else:
            link = reverse(
                "accounts:activate",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": activation_tokens.make_token(user),
                },
            )
            services.registration_activation_send(user=user, activate_url=request.build_absolute_uri(link))
        return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link opens the registered account and signs its owner in (once: signing in spends it)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        pk = 0
    user = User.objects.filter(pk=pk).first()
    if user is None or not activation_tokens.check_token(user, token):
        messages.error(request, _("链接无效或已过期。如果账号已经启用，请直接登录。"))
        return redirect("accounts:login")
    services.user_activate(user=user)
    if policies.two_factor_required(principal_of(user)):
        messages.success(request, _("账号已启用，请登录。"))
        return redirect("accounts:login")
    login(request, user, backend="techmarket.accounts.backends.ThrottledModelBackend")
    messages.success(request, _("注册成功。单位认证通过后即可提交成果审核。"))
    return redirect("achievements:mine")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    principal = principal_of(user)
    members = selectors.organisation_members(principal, user.organisation) if user.organisation else []
    return render(
        request,
        "accounts/profile.html",
        {
            "masked_phone": mask_phone(user.phone),
            "roles": user.roles.select_related("region"),
            "members": members,
            "two_factor_enrolled": selectors.two_factor_enrolled(user),
            "recovery_codes_left": selectors.recovery_codes_left(user),
        },
    )


@login_required
def organisation_queue(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not policies.can_verify_organisation(principal):
        return render(request, "core/error.html", {"status": 403}, status=403)
    return render(
        request,
        "accounts/organisation_queue.html",
        {"organisations": selectors.organisations_pending(principal), "form": ReasonForm()},
    )


@login_required
@require_POST
def organisation_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("verify", "reject"):
        raise Http404()
    if not policies.can_verify_organisation(principal_of(request.user)):
        # Like the queue itself: a refusal, not a redirect that looks like a decision was taken.
        return render(request, "core/error.html", {"status": 403}, status=403)
    organisation = get_object_or_404(Organisation, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "verify":
            services.organisation_verify(actor=acting_user(request), organisation=organisation, reason=reason)
            messages.success(request, _("已认证：%(name)s") % {"name": organisation.name})
        else:
            services.organisation_reject(actor=acting_user(request), organisation=organisation, reason=reason)
            messages.info(request, _("已不予认证：%(name)s") % {"name": organisation.name})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:organisation_queue")


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    """Organisation administrators open accounts for colleagues, with the roles they may grant."""
    user = acting_user(request)
    principal = principal_of(user)
    if user.organisation is None or not policies.can_manage_members(principal, user.organisation.pk):
        return render(request, "core/error.html", {"status": 403}, status=403)
    grantable = [
        (value, label) for value, label in Role.choices if policies.can_grant_to_new_member(principal, value)
    ]
    form = MemberForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_create(
                actor=user,
                organisation=user.organisation,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
                roles=list(data["roles"]),
                phone=data.get("phone") or "",
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("已为 %(name)s 开通账号。") % {"name": member})
            return redirect("accounts:profile")
    return render(request, "accounts/member_form.html", {"form": form})


@login_required
def role_admin(request: HttpRequest) -> HttpResponse:
    """Platform administrators grant and revoke roles (reviewer roles carry their region)."""
    user = acting_user(request)
    if not policies.can_manage_roles(principal_of(user)):
        return render(request, "core/error.html", {"status": 403}, status=403)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = User.objects.filter(username=form.cleaned_data["username"]).first()
        if target is None:
            form.add_error("username", _("未找到该用户。"))
        else:
            try:
                services.role_grant(
                    actor=user,
                    user=target,
                    role=form.cleaned_data["role"],
                    region=form.cleaned_data["region"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("已授予 %(user)s 角色。") % {"user": target})
                return redirect("accounts:role_admin")
    return render(
        request,
        "accounts/role_admin.html",
        {
            "form": form,
            "assignments": selectors.role_assignments(principal_of(user)),
            "reset_form": TwoFactorResetForm(prefix="reset"),
        },
    )


@login_required
@require_POST
def two_factor_reset(request: HttpRequest) -> HttpResponse:
    """A platform administrator clears a user's second factor; they enrol again at their next sign-in."""
    user = acting_user(request)
    if not policies.can_reset_two_factor(principal_of(user)):
        return render(request, "core/error.html", {"status": 403}, status=403)
    form = TwoFactorResetForm(request.POST, prefix="reset")
    if not form.is_valid():
        messages.error(request, _("请填写用户名和理由。"))
        return redirect("accounts:role_admin")
    target = User.objects.filter(username=form.cleaned_data["username"]).first()
    if target is None:
        messages.error(request, _("未找到该用户。"))
        return redirect("accounts:role_admin")
    try:
        services.two_factor_reset(actor=user, user=target, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已重置 %(user)s 的两步验证，其下次登录时需重新设置。") % {"user": target}
        )
    return redirect("accounts:role_admin")


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    principal = principal_of(user)
    assignment = get_object_or_404(RoleAssignment.objects.select_related("user"), pk=pk)
    if not policies.can_manage_members(principal, assignment.user.organisation_id or 0):
        raise Http404()  # another organisation's member: not even its existence is shown
    if not policies.can_grant_role(principal, assignment.role):
        return render(request, "core/error.html", {"status": 403}, status=403)
    try:
        services.role_revoke(actor=user, assignment=assignment)
        messages.success(request, _("已撤销该角色。"))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("accounts:role_admin" if policies.can_manage_roles(principal) else "accounts:profile")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens, with a button to revoke each live one."""
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": selectors.tokens_of(acting_user(request)), "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    token = get_object_or_404(selectors.tokens_of(user), pk=pk)
    services.token_revoke(actor=user, token=token)
    messages.success(request, _("已撤销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


@login_required
@require_POST
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    """Log out everywhere (this browser too); API tokens as well when the box is ticked."""
    revoked = services.sessions_end_all(
        actor=acting_user(request), revoke_tokens=request.POST.get("revoke_tokens") == "1"
    )
    logout(request)
    if revoked:
        messages.success(request, _("已退出所有会话，并撤销 %(n)d 个 API 令牌。") % {"n": revoked})
    else:
        messages.success(request, _("已退出所有会话。"))
    return redirect("accounts:login")
