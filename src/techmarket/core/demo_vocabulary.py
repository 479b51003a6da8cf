"""Words every app's demo draws on (see core.demo): people's names and titles, and the technology themes
the demo's organisations, achievements, experts and demands are about.

The themes name discipline and industry codes of core's classifications; the words of one domain live
next to its demo (accounts.demo_vocabulary, achievements.demo_vocabulary).
"""

from __future__ import annotations

from dataclasses import dataclass

SURNAMES = (
    "张王李刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武"
)
GIVEN_NAME_CHARACTERS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏晨欣怡"
SENIOR_TITLES = ("教授", "研究员", "正高级工程师", "副教授", "副研究员", "高级工程师")
JUNIOR_TITLES = ("讲师", "助理研究员", "工程师", "博士研究生", "高级工程师", "实验师")


@dataclass(frozen=True)
class Theme:
    """One technology field: its codes, and the methods and mechanisms its records name (the specific
    technologies within it, with their own words, are in core.demo_topics)."""

    name: str
    disciplines: tuple[str, ...]
    industries: tuple[str, ...]
    methods: tuple[str, ...]
    mechanisms: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        name="新材料",
        disciplines=("43040", "43045", "43050", "43055", "43070", "43035", "43015"),
        industries=("26", "29", "30", "32", "28"),
        methods=("原位聚合", "机器学习辅助设计", "高通量筛选", "等离子体处理"),
        mechanisms=("界面传热机理", "强韧化机制", "失效机理", "微观结构演化规律"),
    ),
    Theme(
        name="新能源",
        disciplines=("48040", "48050", "48070", "47040", "47010", "48080"),
        industries=("44", "38", "45", "34"),
        methods=("数字孪生", "大数据分析", "多物理场耦合仿真", "模型预测控制"),
        mechanisms=("衰减机理", "离子输运机制", "热失控机理", "界面反应机理"),
    ),
    Theme(
        name="生物医药",
        disciplines=("35010", "35035", "32067", "41660", "36040", "18037", "31047", "41640"),
        industries=("27", "35", "73", "84"),
        methods=("人工智能药物设计", "微流控芯片", "高通量测序", "基因工程"),
        mechanisms=("作用机制", "药效物质基础", "耐药机制", "代谢规律"),
    ),
    Theme(
        name="电子信息",
        disciplines=("51030", "51020", "51050", "52020", "52040", "41320", "41310"),
        industries=("39", "65", "64", "40", "63"),
        methods=("深度学习", "边缘计算", "联邦学习", "区块链"),
        mechanisms=("信号传输机理", "可靠性失效机理", "算法收敛性", "噪声抑制原理"),
    ),
    Theme(
        name="现代农业",
        disciplines=("21030", "21040", "21060", "24020", "23020", "22045", "21045", "41650"),
        industries=("01", "03", "04", "05", "13"),
        methods=("分子标记辅助选择", "物联网监测", "生物防治", "水肥一体化"),
        mechanisms=("抗病机理", "品质形成机理", "生长发育规律", "养分吸收规律"),
    ),
    Theme(
        name="智能制造",
        disciplines=("46020", "46025", "46050", "46035", "41310", "53510", "46045"),
        industries=("34", "35", "36", "37", "40"),
        methods=("机器视觉", "数字孪生", "工业大数据", "自适应控制"),
        mechanisms=("磨损机理", "动力学特性", "热变形规律", "精度保持机理"),
    ),
    Theme(
        name="生态环境",
        disciplines=("61030", "61020", "57040", "61050", "62030", "53021"),
        industries=("77", "46", "42", "76"),
        methods=("膜分离", "高级氧化", "微生物强化", "遥感监测"),
        mechanisms=("迁移转化规律", "降解机理", "生态响应机制", "污染成因"),
    ),
    Theme(
        name="土木交通",
        disciplines=("56030", "56045", "58010", "57025", "56025", "58070"),
        industries=("48", "47", "54", "53", "55"),
        methods=("BIM", "北斗定位", "分布式光纤", "有限元分析"),
        mechanisms=("受力机理", "耐久性退化规律", "变形演化规律", "破坏机理"),
    ),
)
