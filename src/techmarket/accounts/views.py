from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import selectors, services
from techmarket.accounts.forms import LoginForm, ReasonForm, RegistrationForm
from techmarket.accounts.http import acting_user
from techmarket.accounts.models import Organisation
from techmarket.accounts.policies import principal_of
from techmarket.core.errors import DomainError
from techmarket.core.masking import mask_phone
from techmarket.core.web import apply_domain_error


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    """Self-registration of an organisation and its administrator account."""
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
            )
        except DomainError as error:
            apply_domain_error(form, error, {"name": "organisation_name", "kind": "organisation_kind"})
        else:
            login(request, user, backend="techmarket.accounts.backends.ThrottledModelBackend")
            messages.success(request, _("注册成功。单位认证通过后即可提交成果审核。"))
            return redirect("achievements:mine")
    return render(request, "accounts/register.html", {"form": form})


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
        },
    )


@login_required
def organisation_queue(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request.user)
    if not principal.is_platform_admin:
        return render(request, "core/error.html", {"status": 403}, status=403)
    return render(
        request,
        "accounts/organisation_queue.html",
        {"organisations": selectors.organisations_pending(principal), "form": ReasonForm()},
    )


@login_required
@require_POST
def organisation_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
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
