"""Words the accounts demo builds its organisations from (see accounts.demo).

Names of organisations are invented; any likeness to a real body is a coincidence of common place names.
"""

from __future__ import annotations

from dataclasses import dataclass

from techmarket.accounts.choices import OrganisationKind as K


@dataclass(frozen=True)
class PlannedOrganisation:
    name: str
    kind: str
    region_code: str
    verified: bool = True
    # Names of the themes (core.demo_vocabulary.THEMES) the organisation mostly files in; empty: any.
    focus: tuple[str, ...] = ()


# The first nine are the demo's core (one per role account); the rest spread over Hubei, each city's
# science-and-technology bureau listed before the organisations it reviews.
ORGANISATIONS: tuple[PlannedOrganisation, ...] = (
    PlannedOrganisation("湖北省科学技术厅", K.GOVERNMENT, "420000"),
    PlannedOrganisation("武汉市科学技术局", K.GOVERNMENT, "420100"),
    PlannedOrganisation("武汉市洪山区科学技术局", K.GOVERNMENT, "420111"),
    PlannedOrganisation("江城理工大学", K.UNIVERSITY, "420111"),
    PlannedOrganisation("光谷智能装备股份有限公司", K.ENTERPRISE, "420115", focus=("智能制造", "电子信息")),
    PlannedOrganisation("楚天技术转移中心有限公司", K.AGENCY, "420106"),
    PlannedOrganisation("湖北省先进材料研究院", K.INSTITUTE, "420111", focus=("新材料",)),
    PlannedOrganisation("江汉科技融资担保有限公司", K.FINANCE, "420103"),
    PlannedOrganisation("武汉市科技成果转化促进会", K.OTHER, "420102"),
    PlannedOrganisation("宜昌市科学技术局", K.GOVERNMENT, "420500"),
    PlannedOrganisation("三峡新能源研究院", K.INSTITUTE, "420502", focus=("新能源",)),
    PlannedOrganisation("宜昌磷化新材料有限公司", K.ENTERPRISE, "420506", focus=("新材料", "生态环境")),
    PlannedOrganisation("襄阳市科学技术局", K.GOVERNMENT, "420600"),
    PlannedOrganisation("汉江汽车零部件有限公司", K.ENTERPRISE, "420607", focus=("智能制造", "新材料")),
    PlannedOrganisation("隆中理工学院", K.UNIVERSITY, "420606"),
    PlannedOrganisation("荆州市科学技术局", K.GOVERNMENT, "421000"),
    PlannedOrganisation("荆江农业科技学院", K.UNIVERSITY, "421003", focus=("现代农业",)),
    PlannedOrganisation("洪湖水产科技有限公司", K.ENTERPRISE, "421083", verified=False, focus=("现代农业",)),
    PlannedOrganisation("江城医科大学", K.UNIVERSITY, "420106", focus=("生物医药",)),
    PlannedOrganisation("汉阳精密仪器有限公司", K.ENTERPRISE, "420105", focus=("电子信息", "智能制造")),
    PlannedOrganisation("十堰市科学技术局", K.GOVERNMENT, "420300"),
    PlannedOrganisation("武当汽车工程研究院", K.INSTITUTE, "420303", focus=("智能制造", "新能源")),
    PlannedOrganisation("黄石市科学技术局", K.GOVERNMENT, "420200"),
    PlannedOrganisation("磁湖特种合金有限公司", K.ENTERPRISE, "420202", focus=("新材料",)),
    PlannedOrganisation("孝感市科学技术局", K.GOVERNMENT, "420900"),
    PlannedOrganisation("孝感光电子产业技术研究院", K.INSTITUTE, "420902", focus=("电子信息",)),
    PlannedOrganisation("仙桃市科学技术局", K.GOVERNMENT, "429004"),
    PlannedOrganisation("江汉非织造材料有限公司", K.ENTERPRISE, "429004", focus=("新材料", "生物医药")),
    PlannedOrganisation("恩施州科学技术局", K.GOVERNMENT, "422800"),
    PlannedOrganisation("武陵山中药材研究所", K.INSTITUTE, "422801", focus=("生物医药", "现代农业")),
    PlannedOrganisation("东湖科创投资基金管理有限公司", K.FINANCE, "420111"),
    PlannedOrganisation("荆门储能科技有限公司", K.ENTERPRISE, "420804", verified=False, focus=("新能源",)),
    PlannedOrganisation("咸宁市科学技术局", K.GOVERNMENT, "421200"),
    PlannedOrganisation("陆水茶业科技有限公司", K.ENTERPRISE, "421281", focus=("现代农业",)),
    PlannedOrganisation("黄冈市科学技术局", K.GOVERNMENT, "421100"),
    PlannedOrganisation(
        "大别山农林科技有限公司", K.ENTERPRISE, "421123", verified=False, focus=("现代农业",)
    ),
    PlannedOrganisation("鄂州市科学技术局", K.GOVERNMENT, "420700"),
    PlannedOrganisation("临空物流技术有限公司", K.ENTERPRISE, "420704", focus=("电子信息", "土木交通")),
    PlannedOrganisation("随州市科学技术局", K.GOVERNMENT, "421300"),
    PlannedOrganisation("随州专用汽车研究院", K.INSTITUTE, "421303", focus=("智能制造",)),
    PlannedOrganisation("天门市科学技术局", K.GOVERNMENT, "429006"),
    PlannedOrganisation("天门生物医药科技有限公司", K.ENTERPRISE, "429006", focus=("生物医药",)),
    PlannedOrganisation("潜江市科学技术局", K.GOVERNMENT, "429005"),
    PlannedOrganisation("潜江小龙虾产业技术研究院", K.INSTITUTE, "429005", focus=("现代农业",)),
    PlannedOrganisation("江夏食品科技有限公司", K.ENTERPRISE, "420115", focus=("现代农业",)),
    PlannedOrganisation("长江知识产权运营中心", K.AGENCY, "420103"),
    PlannedOrganisation("恩施州富硒产业协会", K.OTHER, "422801", focus=("现代农业",)),
)
# Extra enterprises when more organisations are asked for than planned: "<county><word>科技有限公司",
# filing in the theme the word names.
EXTRA_ENTERPRISES = (
    ("新材", "新材料"),
    ("智造", "智能制造"),
    ("绿能", "新能源"),
    ("生物", "生物医药"),
    ("数联", "电子信息"),
    ("农科", "现代农业"),
    ("环保", "生态环境"),
    ("精工", "智能制造"),
    ("光电", "电子信息"),
    ("路桥", "土木交通"),
)
