import factory

from techmarket.accounts.choices import REGIONAL_ROLES, OrganisationKind, OrganisationStatus, Role
from techmarket.accounts.models import Organisation, RoleAssignment, User
from techmarket.core.models import Region
from techmarket.core.tests.factories import RegionFactory
from techmarket.core.validators import USCC_ALPHABET, uscc_check_character

PASSWORD = "Tm-test-2026!"


def make_uscc(n: int) -> str:
    """A valid unified social credit code (GB 32100) for the n-th test organisation."""
    body = f"91420100{n:09d}"
    body = "".join(ch if ch in USCC_ALPHABET else "0" for ch in body)
    return body + uscc_check_character(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.UNIVERSITY
    credit_code = factory.Sequence(make_uscc)
    region = factory.SubFactory(RegionFactory)
    status = OrganisationStatus.VERIFIED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    phone = "13800138000"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def user_with_role(
    role: str, *, region: Region | None = None, organisation: Organisation | None = None, **kwargs: object
) -> User:
    """A user holding one role; reviewers and registrars get their region, platform roles no organisation."""
    if organisation is None and role in {*REGIONAL_ROLES, Role.PLATFORM_ADMIN, Role.EXPERT}:
        kwargs.setdefault("organisation", None)
    elif organisation is not None:
        kwargs["organisation"] = organisation
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=role, region=region if role in REGIONAL_ROLES else None)
    return user


# A fixed authenticator secret for tests (base32), and the code an app would show for it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_two_factor(user: User, secret: str = TOTP_SECRET) -> User:
    """Give the user a confirmed authenticator with a known secret."""
    from techmarket.accounts import services

    services.two_factor_enrol_fixed(user=user, secret=secret)
    return user


def next_totp_code(user: User, secret: str = TOTP_SECRET) -> str:
    """A code the platform will accept now: the current step's, or the next step's (within the ±1 window)
    when the current one was already used — the same user can sign in twice within 30 seconds."""
    from techmarket.accounts import totp
    from techmarket.accounts.models import TwoFactorDevice

    device = TwoFactorDevice.objects.filter(user=user).first()
    step = totp.step_at()
    if device is not None and device.last_used_step is not None and device.last_used_step >= step:
        step = device.last_used_step + 1
    return totp.hotp(secret, step)
