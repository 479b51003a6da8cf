"""Issue 9 §5: the Content-Security-Policy sent over TLS (TECHMARKET_HTTPS) holds in a real browser.

The live server speaks plain HTTP, so the test switches on what TECHMARKET_HTTPS switches on for the
policy (``settings.HTTPS``); Chromium then enforces the header on every page a visitor, a filer and a
reviewer open, htmx swaps and ECharts included, and reports each refused script, style, image or
connection both on the console ("Refused to …") and as a ``securitypolicyviolation`` event.
"""

from __future__ import annotations

import pytest

from techmarket.accounts.choices import Role
from techmarket.accounts.tests.factories import OrganisationFactory, user_with_role
from techmarket.achievements.choices import AchievementState
from techmarket.achievements.tests.factories import achievement_in_state, applicant_of
from techmarket.core.middleware import CONTENT_SECURITY_POLICY
from techmarket.demands.choices import DemandState
from techmarket.demands.tests.factories import demand_in_state, enterprise_user

from .signin import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script: collects the violations the page itself reports.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def policy_enforced(settings):
    settings.HTTPS = True  # what TECHMARKET_HTTPS sets; the policy middleware reads it


def watch(page):
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or message.text.startswith("Refused to")
            else None
        ),
    )
    page.add_init_script(WATCH_VIOLATIONS)
    return refused


def visit(page, url: str, violations: dict[str, list[str]], refused: list[str]) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, url
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__cspViolations || []") + refused[:]
    refused.clear()
    if found:
        violations[url] = found


def test_main_pages_break_no_rule_of_the_policy(live_server, new_page, regions, reviewers, policy_enforced):
    base = live_server.url
    applicant = applicant_of(organisation=OrganisationFactory(region=regions["county"]))
    record = achievement_in_state(
        AchievementState.PUBLISHED,
        applicant=applicant,
        region=regions["county"],
        reviewers=reviewers,
        name="石墨烯导热膜卷对卷制备",
    )
    achievement_in_state(
        AchievementState.COUNTY_REVIEW, applicant=applicant, region=regions["county"], reviewers=reviewers
    )
    demand = demand_in_state(
        DemandState.PUBLISHED,
        enterprise=enterprise_user(regions["county"]),
        region=regions["county"],
        reviewer=reviewers["county"],
    )
    user_with_role(Role.PLATFORM_ADMIN)
    violations: dict[str, list[str]] = {}

    # A visitor: home, catalogue with its pickers (htmx loads the cities), a record, the demand hall, login.
    visitor = new_page()
    refused = watch(visitor)
    visit(visitor, f"{base}/", violations, refused)
    visit(visitor, f"{base}/achievements/", violations, refused)
    if not visitor.get_by_label("地区：省级").is_visible():
        visitor.get_by_text("筛选条件").click()  # the filters fold away on narrow screens
    visitor.get_by_label("地区：省级").select_option(regions["province"].code)
    visitor.get_by_label("地区：市级").wait_for()
    visitor.wait_for_load_state("networkidle")
    visit(visitor, f"{base}/achievements/{record.pk}/", violations, refused)
    visit(visitor, f"{base}/demands/", violations, refused)
    visit(visitor, f"{base}/demands/{demand.pk}/", violations, refused)
    visit(visitor, f"{base}/accounts/login/", violations, refused)

    # A reviewer (second factor included): the to-do page, the review queue, the response dashboard.
    reviewer = new_page()
    refused_reviewer = watch(reviewer)
    log_in(reviewer, base, reviewers["county"].username)
    for path in ("/todo/", "/achievements/review/", "/demands/review/", "/docking/dashboard/"):
        visit(reviewer, base + path, violations, refused_reviewer)
    # The filer's own pages and forms.
    filer = new_page()
    refused_filer = watch(filer)
    log_in(filer, base, applicant.username)
    for path in ("/todo/", "/achievements/mine/", "/achievements/new/", "/accounts/profile/"):
        visit(filer, base + path, violations, refused_filer)

    assert violations == {}

    # The watch itself works: an image from another origin is refused and reported.
    visitor.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=\"http://192.0.2.1/x.png\">')")
    visitor.wait_for_function("window.__cspViolations.length > 0")
    assert "img-src" in visitor.evaluate("window.__cspViolations[0]")
