"""Demo data for ``techmarket demo``: Hubei's organisations, one account per role, hundreds of achievements
in every workflow state, experts, and enterprises' demands with their suggestions.

Each app that contributes data has its own ``demo.py`` that creates its records through its own services,
so each record carries the audit trail a real user would have left. This orchestrator only calls them in
dependency order (accounts, achievements, experts, demands, matching, docking, conversations, trading), hands each the same seeded random
generator (every demo database holds the same records) and sums up what they made.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from techmarket.accounts import demo as accounts_demo
from techmarket.achievements import demo as achievements_demo
from techmarket.contracts import demo as contracts_demo
from techmarket.conversations import demo as conversations_demo
from techmarket.core.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, SEED, quick_password_hashing
from techmarket.demands import demo as demands_demo
from techmarket.demands.choices import DemandState
from techmarket.demands.types import Demand
from techmarket.docking import demo as docking_demo
from techmarket.experts import demo as experts_demo
from techmarket.matching import demo as matching_demo
from techmarket.notifications import demo as notifications_demo
from techmarket.statistics import demo as statistics_demo
from techmarket.subsidies import demo as subsidies_demo
from techmarket.trading import demo as trading_demo

__all__ = [
    "CORE_ORGANISATIONS",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DemoSummary",
    "account_rows",
    "create_demo",
    "demo_exists",
    "enrol_second_factors",
    "other_account_rows",
]

CORE_ORGANISATIONS = accounts_demo.CORE_ORGANISATIONS
DEMO_TOTP_SECRET = accounts_demo.DEMO_TOTP_SECRET
account_rows = accounts_demo.account_rows
other_account_rows = accounts_demo.other_account_rows
demo_exists = accounts_demo.demo_exists
# A demo database made before two-factor sign-in existed: its reviewers and administrator get the secret.
enrol_second_factors = accounts_demo.enrol_second_factors


@dataclass
class DemoSummary:
    organisations: Counter[str] = field(default_factory=Counter)
    pending_organisations: int = 0
    users: int = 0
    states: Counter[str] = field(default_factory=Counter)
    restricted: int = 0
    demands: Counter[str] = field(default_factory=Counter)
    docking: dict[str, int] = field(default_factory=dict)
    conversations: dict[str, int] = field(default_factory=dict)
    notifications: dict[str, int] = field(default_factory=dict)
    trading: trading_demo.DemoTrading | None = None
    contracts: contracts_demo.DemoContracts | None = None
    subsidies: subsidies_demo.DemoSubsidies | None = None
    catalogue: str = ""


def _theme(demand: Demand) -> str:
    topic = demands_demo.topic_of(demand)
    return topic.theme if topic else ""


# The demo's notifications are about months of backdated history: their e-mails and texts, sent when the
# demo's transaction commits, go nowhere instead of filling the console.
QUIET_MAIL = "django.core.mail.backends.locmem.EmailBackend"


def create_demo(*, achievements_count: int = 500, organisations_count: int = 32) -> DemoSummary:
    """Create the whole demo in one transaction (nothing is left half-made if anything fails); mark the
    older notices read once it has committed."""
    quiet = override_settings(
        EMAIL_BACKEND=QUIET_MAIL,
        TECHMARKET={**settings.TECHMARKET, "SMS_SENDER": f"{notifications_demo.__name__}.QuietSmsSender"},
    )
    with quiet, quick_password_hashing():
        with transaction.atomic():
            rng = random.Random(SEED)  # noqa: S311 (seeded: reproducible data, not a secret)
            people = accounts_demo.seed(
                rng, organisations_count=organisations_count, filing_kinds=achievements_demo.FILING_KINDS
            )
            made = achievements_demo.seed(rng, people, count=achievements_count)
            experts = experts_demo.seed(
                rng,
                people.organisations,
                made.records,
                people.accounts["demo-expert"],
                admin=people.admin,
                email_domain=DEMO_EMAIL_DOMAIN,
            )
            demands = demands_demo.seed(rng, people)
            published = [demand for demand in demands if demand.state == DemandState.PUBLISHED]
            matching_demo.seed(published)
            docking = docking_demo.seed(
                rng,
                published,
                responder_for=docking_demo.responder(
                    people.accounts["demo-broker"], demands_demo.reviewer_finder(people)
                ),
                expert_profile_id=experts[0].pk if experts else None,
                expert_theme_demands=[d for d in published if _theme(d) == experts_demo.OWN_THEME],
            )
            # Answers to pushes opened threads on demands; the demo enterprise opens two on records.
            achievements_demo.open_conversations(
                people.accounts["demo-enterprise"], people.accounts["demo-applicant"], made.records
            )
            conversations = conversations_demo.seed(rng, conversations_demo.opened_threads())
            trading = trading_demo.seed(rng, people, made.records)
            contracts = contracts_demo.seed(rng, people, trading.closed_auctions.get("sold"))
            subsidies = subsidies_demo.load(people)
            statistics_demo.load(
                admin=people.admin
            )  # target sets and a few actuals; statistics from the contracts
            catalogue = achievements_demo.publish_catalogue(people.admin)
            accounts_demo.enrol_second_factors()  # the registrars made by the contracts' demo too
        # The workflow's notices are sent once the transaction commits (after-commit hooks): mark the
        # older ones read only then, so each person starts with a few unread, not all of them.
        notifications = notifications_demo.seed(rng)
        return DemoSummary(
            organisations=people.kinds,
            pending_organisations=people.pending_organisations,
            users=accounts_demo.user_count(),
            states=made.states,
            restricted=made.restricted,
            demands=Counter(demand.state for demand in demands),
            docking=docking,
            conversations=conversations,
            notifications=notifications,
            trading=trading,
            contracts=contracts,
            subsidies=subsidies,
            catalogue=catalogue,
        )
