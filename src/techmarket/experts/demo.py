"""Demo experts for ``techmarket demo`` (called by portal.demo after the achievements demo): about forty
Hubei experts across the demo's technology themes, a third of them 科技特派员, some linked to public
achievements.

Everything goes through experts.services, so each profile has the audit trail a real one would have.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from techmarket.accounts.choices import OrganisationKind
from techmarket.accounts.types import Organisation, User
from techmarket.achievements.types import Achievement
from techmarket.core import demo_vocabulary as words
from techmarket.core.choices import ClassificationScheme
from techmarket.core.demo import person_name
from techmarket.core.demo_topics import TOPICS_BY_THEME
from techmarket.core.models import Classification
from techmarket.experts import services
from techmarket.experts.models import ExpertProfile

EXPERT_COUNT = 40
OWN_THEME = "新材料"  # demo-expert works at 湖北省先进材料研究院
HOST_KINDS = {OrganisationKind.UNIVERSITY, OrganisationKind.INSTITUTE, OrganisationKind.ENTERPRISE}
# Invented bodies for experts whose organisation is not on the platform.
OUTSIDE_ORGANISATIONS = (
    "荆楚农业科学研究中心",
    "汉江流域生态环境研究所",
    "鄂东职业技术学院",
    "楚天工业设计研究院",
    "长江中游水利科学研究站",
    "江汉平原植保技术推广站",
)


def seed(
    rng: random.Random,
    organisations: Sequence[Organisation],
    achievements: Sequence[Achievement],
    expert_user: User,
    *,
    admin: User,
    email_domain: str,
) -> list[ExpertProfile]:
    """Create the demo's experts; ``expert_user`` (demo-expert) gets the first profile, as its own."""
    codes = {(item.scheme, item.code): item for item in Classification.objects.all()}
    hosts = [org for org in organisations if org.kind in HOST_KINDS]
    public_by_industry: dict[str, list[Achievement]] = defaultdict(list)
    for achievement in achievements:
        if achievement.is_public:
            public_by_industry[achievement.industry.code].append(achievement)
    themes = {theme.name: theme for theme in words.THEMES}
    own_theme = themes[OWN_THEME]
    experts: list[ExpertProfile] = []
    for index in range(EXPERT_COUNT):
        own = index == 0
        theme = own_theme if own else words.THEMES[index % len(words.THEMES)]
        name = (expert_user.display_name if own else "") or person_name(rng)
        title = rng.choice(words.SENIOR_TITLES)
        topics = rng.sample(TOPICS_BY_THEME[theme.name], 2)
        keywords = [topics[0].keywords[0], *rng.sample(topics[0].keywords[1:], 2), topics[1].keywords[0]]
        host = expert_user.organisation if own else (rng.choice(hosts) if rng.random() < 0.75 else None)
        region = host.region if host else rng.choice(hosts).region
        commissioner = index % 3 == 1
        bio = (
            f"{name}，{title}，长期从事{theme.name}领域的研究与成果转化工作，"
            f"在{keywords[0]}、{keywords[1]}等方向主持完成省部级以上科研项目{rng.randint(3, 15)}项，"
            f"与省内{rng.randint(2, 12)}家企业开展过技术合作。"
        )
        if commissioner:
            bio += f"现为湖北省科技特派员，服务{region.name}及周边企业和农业经营主体。"
        fields = {
            "name": name,
            "title": title,
            "organisation": host,
            "organisation_name": "" if host else rng.choice(OUTSIDE_ORGANISATIONS),
            "region": region,
            "discipline": codes.get((ClassificationScheme.DISCIPLINE, rng.choice(theme.disciplines))),
            "industry": codes.get((ClassificationScheme.INDUSTRY, rng.choice(theme.industries))),
            "research_fields": f"{rng.choice(topics[0].titles)}；{rng.choice(topics[1].titles)}",
            "research_keywords": "、".join(keywords),
            "bio": bio,
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            "email": f"expert{index + 1:02d}@{email_domain}",
            "accepts_push": rng.random() < 0.85,
        }
        if own:
            expert = services.expert_create(expert_user, user=expert_user, **fields)
        else:
            expert = services.expert_create(admin, is_commissioner=commissioner, **fields)
        candidates = [a for code in theme.industries for a in public_by_industry.get(code, [])]
        if candidates and (own or rng.random() < 0.5):
            picked = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
            services.expert_link_achievements(admin, expert, [a.pk for a in picked])
        experts.append(expert)
    return experts
