"""Words the demo builds its organisations, people and achievements from (see core.demo).

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
    # Names of the themes (below) the organisation mostly files in; empty: any.
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

SURNAMES = (
    "张王李刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武"
)
GIVEN_NAME_CHARACTERS = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏晨欣怡"
SENIOR_TITLES = ("教授", "研究员", "正高级工程师", "副教授", "副研究员", "高级工程师")
JUNIOR_TITLES = ("讲师", "助理研究员", "工程师", "博士研究生", "高级工程师", "实验师")


@dataclass(frozen=True)
class Theme:
    """One technology field: its codes, the words its titles are made of, and its abstract sentences."""

    name: str
    disciplines: tuple[str, ...]
    industries: tuple[str, ...]
    qualifiers: tuple[str, ...]
    subjects: tuple[str, ...]
    processes: tuple[str, ...]
    methods: tuple[str, ...]
    mechanisms: tuple[str, ...]
    keywords: tuple[str, ...]
    problems: tuple[str, ...]
    approaches: tuple[str, ...]
    indicators: tuple[tuple[str, int, int], ...]
    applications: tuple[str, ...]


THEMES: tuple[Theme, ...] = (
    Theme(
        name="新材料",
        disciplines=("43040", "43045", "43050", "43055", "43070", "43035", "43015"),
        industries=("26", "29", "30", "32", "28"),
        qualifiers=("高导热", "高强韧", "耐高温", "轻量化", "可降解", "自修复", "超疏水", "低成本"),
        subjects=(
            "石墨烯复合薄膜",
            "碳纤维增强复合材料",
            "铝合金板材",
            "陶瓷基复合涂层",
            "聚乳酸纤维",
            "纳米银导电浆料",
            "钛合金粉末",
            "无卤阻燃聚烯烃",
            "硅碳负极材料",
            "微晶玻璃",
        ),
        processes=("制备技术", "成型工艺", "表面改性技术", "连续化生产工艺", "回收利用技术", "低温烧结技术"),
        methods=("原位聚合", "机器学习辅助设计", "高通量筛选", "等离子体处理"),
        mechanisms=("界面传热机理", "强韧化机制", "失效机理", "微观结构演化规律"),
        keywords=("石墨烯", "复合材料", "纳米材料", "表面改性", "阻燃", "导热", "轻量化", "粉末冶金", "涂层"),
        problems=("现有材料性能不足、成本偏高", "关键材料长期依赖进口", "传统工艺能耗高、成品率低"),
        approaches=(
            "采用低温还原与连续辊压相结合的工艺路线",
            "通过界面结构设计实现性能协同提升",
            "建立了从配方设计到中试放大的完整工艺包",
        ),
        indicators=(
            ("拉伸强度达到{}MPa", 300, 1500),
            ("导热系数达到{}W/(m·K)", 200, 1800),
            ("长期使用温度可达{}℃", 180, 1200),
            ("产品成品率提高到{}%", 90, 99),
        ),
        applications=("消费电子散热", "新能源汽车轻量化", "航空航天结构件", "高端装备防护", "建筑节能"),
    ),
    Theme(
        name="新能源",
        disciplines=("48040", "48050", "48070", "47040", "47010", "48080"),
        industries=("44", "38", "45", "34"),
        qualifiers=("高安全", "长寿命", "高效率", "低成本", "智能化", "分布式"),
        subjects=(
            "磷酸铁锂储能电池",
            "钠离子电池",
            "钙钛矿光伏组件",
            "氢燃料电池电堆",
            "电网侧储能系统",
            "工业余热回收装置",
            "风电变流器",
            "固态电解质",
        ),
        processes=("关键技术", "集成技术", "热管理技术", "智能运维系统", "能量管理方法", "寿命预测方法"),
        methods=("数字孪生", "大数据分析", "多物理场耦合仿真", "模型预测控制"),
        mechanisms=("衰减机理", "离子输运机制", "热失控机理", "界面反应机理"),
        keywords=(
            "储能",
            "锂电池",
            "钠离子电池",
            "光伏",
            "氢能",
            "燃料电池",
            "热管理",
            "余热回收",
            "智能电网",
        ),
        problems=("新能源发电波动大、消纳困难", "储能系统安全性和寿命不足", "工业能耗高、余热浪费严重"),
        approaches=(
            "提出了电芯、模组、系统三级协同的热管理方案",
            "研制了具有自主知识产权的核心部件和控制软件",
            "构建了基于运行数据的状态评估与预测模型",
        ),
        indicators=(
            ("循环寿命超过{}次", 3000, 12000),
            ("系统效率达到{}%", 85, 98),
            ("能量密度达到{}Wh/kg", 120, 320),
            ("年节约标准煤{}吨", 500, 20000),
        ),
        applications=("电网调峰调频", "工商业储能", "分布式光伏", "数据中心节能", "氢能交通"),
    ),
    Theme(
        name="生物医药",
        disciplines=("35010", "35035", "32067", "41660", "36040", "18037", "31047", "41640"),
        industries=("27", "35", "73", "84"),
        qualifiers=("靶向", "长效缓释", "高灵敏", "便携式", "无创", "新型"),
        subjects=(
            "抗肿瘤小分子药物",
            "中药有效成分",
            "口服缓释制剂",
            "核酸检测试剂盒",
            "可吸收缝合线",
            "单克隆抗体",
            "血糖监测仪",
            "骨修复材料",
            "重组蛋白疫苗",
        ),
        processes=("制备方法", "质量控制技术", "产业化技术", "筛选平台", "临床前研究", "检测方法"),
        methods=("人工智能药物设计", "微流控芯片", "高通量测序", "基因工程"),
        mechanisms=("作用机制", "药效物质基础", "耐药机制", "代谢规律"),
        keywords=(
            "靶向治疗",
            "中药",
            "缓释制剂",
            "分子诊断",
            "医疗器械",
            "抗体",
            "疫苗",
            "生物材料",
            "药物筛选",
        ),
        problems=("临床用药依从性差、副作用大", "基层医疗机构缺少快速检测手段", "高端医疗器械国产化率低"),
        approaches=(
            "建立了从靶点发现到候选化合物优化的研发平台",
            "采用微球包埋技术实现药物平稳释放",
            "完成了关键工艺验证和稳定性研究",
        ),
        indicators=(
            ("检测灵敏度达到{}拷贝/mL", 50, 500),
            ("药物释放时间延长至{}小时", 12, 72),
            ("产品收率达到{}%", 75, 98),
            ("检测时间缩短至{}分钟", 15, 90),
        ),
        applications=("肿瘤精准治疗", "基层医疗检测", "慢病管理", "创面修复", "公共卫生防控"),
    ),
    Theme(
        name="电子信息",
        disciplines=("51030", "51020", "51050", "52020", "52040", "41320", "41310"),
        industries=("39", "65", "64", "40", "63"),
        qualifiers=("高精度", "低功耗", "国产化", "高可靠", "轻量级", "自适应"),
        subjects=(
            "光纤传感系统",
            "功率半导体器件",
            "激光雷达",
            "工业物联网网关",
            "图像识别算法",
            "数据安全平台",
            "5G小基站",
            "MEMS传感器",
            "高速光模块",
            "智能视频分析系统",
        ),
        processes=("设计与实现", "关键技术", "研制", "封装工艺", "测试方法", "国产化替代方案"),
        methods=("深度学习", "边缘计算", "联邦学习", "区块链"),
        mechanisms=("信号传输机理", "可靠性失效机理", "算法收敛性", "噪声抑制原理"),
        keywords=(
            "人工智能",
            "物联网",
            "半导体",
            "光电子",
            "传感器",
            "边缘计算",
            "信息安全",
            "5G通信",
            "深度学习",
        ),
        problems=("核心器件受制于人", "海量数据难以实时处理", "工业现场环境复杂、误报率高"),
        approaches=(
            "设计了软硬件协同的系统架构",
            "提出了面向嵌入式平台的轻量化模型",
            "完成了芯片级封装与可靠性测试",
        ),
        indicators=(
            ("识别准确率达到{}%", 92, 99),
            ("功耗降低至{}mW", 5, 300),
            ("测量精度达到±{}‰", 1, 9),
            ("传输速率达到{}Gbps", 10, 800),
        ),
        applications=("智能制造", "智慧城市", "电力巡检", "自动驾驶", "工业互联网"),
    ),
    Theme(
        name="现代农业",
        disciplines=("21030", "21040", "21060", "24020", "23020", "22045", "21045", "41650"),
        industries=("01", "03", "04", "05", "13"),
        qualifiers=("优质", "抗病", "高产", "绿色", "富硒", "节水"),
        subjects=(
            "水稻新品种",
            "双低油菜",
            "柑橘",
            "稻虾综合种养",
            "茶叶",
            "食用菌",
            "生猪健康养殖",
            "淡水鱼",
            "道地中药材",
            "设施蔬菜",
        ),
        processes=(
            "选育技术",
            "栽培技术",
            "病虫害绿色防控技术",
            "标准化生产技术",
            "加工技术",
            "机械化生产技术",
        ),
        methods=("分子标记辅助选择", "物联网监测", "生物防治", "水肥一体化"),
        mechanisms=("抗病机理", "品质形成机理", "生长发育规律", "养分吸收规律"),
        keywords=("水稻", "油菜", "柑橘", "稻虾共作", "茶叶", "富硒", "绿色防控", "育种", "农产品加工"),
        problems=("化肥农药用量大、面源污染突出", "品种同质化、优质率不高", "劳动力成本上升、生产效率低"),
        approaches=(
            "集成了良种、良法、良机配套技术",
            "建立了可复制推广的标准化生产规程",
            "在多个县市开展了示范应用",
        ),
        indicators=(
            ("亩产提高{}%", 8, 25),
            ("农药使用量减少{}%", 20, 60),
            ("示范推广面积{}万亩", 1, 80),
            ("亩均增收{}元", 200, 2000),
        ),
        applications=("粮油生产", "特色产业扶持", "乡村振兴", "农产品精深加工", "生态农业"),
    ),
    Theme(
        name="智能制造",
        disciplines=("46020", "46025", "46050", "46035", "41310", "53510", "46045"),
        industries=("34", "35", "36", "37", "40"),
        qualifiers=("数控", "智能", "高速", "精密", "柔性", "协作"),
        subjects=(
            "五轴联动加工中心",
            "工业机器人",
            "激光焊接装备",
            "汽车零部件生产线",
            "精密减速器",
            "智能仓储系统",
            "增材制造装备",
            "在线检测系统",
            "电液伺服系统",
        ),
        processes=("关键技术", "研制与应用", "故障诊断方法", "工艺优化技术", "控制系统", "可靠性提升技术"),
        methods=("机器视觉", "数字孪生", "工业大数据", "自适应控制"),
        mechanisms=("磨损机理", "动力学特性", "热变形规律", "精度保持机理"),
        keywords=(
            "智能制造",
            "数控机床",
            "工业机器人",
            "激光加工",
            "增材制造",
            "数字孪生",
            "故障诊断",
            "自动化",
        ),
        problems=("高端装备依赖进口、维护成本高", "生产线柔性不足、换型慢", "人工检测效率低、漏检率高"),
        approaches=(
            "突破了高精度运动控制与误差补偿技术",
            "开发了具有自主知识产权的控制软件",
            "实现了关键部件的国产化替代",
        ),
        indicators=(
            ("定位精度达到{}μm", 2, 20),
            ("生产效率提高{}%", 15, 60),
            ("平均无故障时间超过{}小时", 2000, 10000),
            ("产品不良率降低至{}‰", 1, 9),
        ),
        applications=("汽车制造", "航空航天", "电子装配", "船舶制造", "工程机械"),
    ),
    Theme(
        name="生态环境",
        disciplines=("61030", "61020", "57040", "61050", "62030", "53021"),
        industries=("77", "46", "42", "76"),
        qualifiers=("高效", "低能耗", "一体化", "生态型", "智慧化", "模块化"),
        subjects=(
            "工业废水",
            "磷石膏",
            "重金属污染土壤",
            "农村生活污水",
            "挥发性有机物",
            "湖泊富营养化",
            "建筑垃圾",
            "餐厨垃圾",
            "市政污泥",
        ),
        processes=("处理技术", "资源化利用技术", "修复技术", "监测预警系统", "治理技术", "协同处置工艺"),
        methods=("膜分离", "高级氧化", "微生物强化", "遥感监测"),
        mechanisms=("迁移转化规律", "降解机理", "生态响应机制", "污染成因"),
        keywords=("污水处理", "固废资源化", "土壤修复", "磷石膏", "大气治理", "水环境", "生态修复", "碳减排"),
        problems=("污染物排放标准日益严格", "大宗固废堆存占地、环境风险大", "治理设施运行成本高"),
        approaches=(
            "开发了预处理、主处理和深度处理一体化工艺",
            "实现了废弃物的无害化与资源化协同",
            "建立了在线监测与智能调控平台",
        ),
        indicators=(
            ("污染物去除率达到{}%", 85, 99),
            ("运行成本降低{}%", 15, 50),
            ("资源化利用率达到{}%", 60, 95),
            ("吨水处理能耗低于{}kWh", 1, 3),
        ),
        applications=("化工园区", "长江大保护", "美丽乡村建设", "城市环境治理", "矿山生态修复"),
    ),
    Theme(
        name="土木交通",
        disciplines=("56030", "56045", "58010", "57025", "56025", "58070"),
        industries=("48", "47", "54", "53", "55"),
        qualifiers=("装配式", "长寿命", "绿色", "智能", "韧性", "低碳"),
        subjects=(
            "大跨度桥梁",
            "盾构隧道",
            "装配式建筑",
            "沥青路面",
            "城市轨道交通",
            "内河航道",
            "高填方路基",
        ),
        processes=("建造技术", "健康监测系统", "施工控制技术", "养护技术", "设计方法", "病害诊断技术"),
        methods=("BIM", "北斗定位", "分布式光纤", "有限元分析"),
        mechanisms=("受力机理", "耐久性退化规律", "变形演化规律", "破坏机理"),
        keywords=("桥梁", "隧道", "装配式建筑", "路面", "健康监测", "BIM", "轨道交通", "航道"),
        problems=("基础设施服役环境恶劣、病害多发", "传统施工工期长、污染大", "运维管理依赖人工巡检"),
        approaches=(
            "形成了设计、施工、运维一体化的技术体系",
            "研发了专用施工装备和工法",
            "建立了结构状态评估与预警模型",
        ),
        indicators=(
            ("施工工期缩短{}%", 15, 40),
            ("结构设计寿命达到{}年", 50, 120),
            ("监测精度达到{}mm", 1, 5),
            ("综合造价降低{}%", 5, 20),
        ),
        applications=("公路桥梁", "城市更新", "轨道交通", "水运工程", "城市地下空间"),
    ),
)

SOFT_TOPICS = (
    "湖北省{field}产业技术创新体系研究",
    "{field}领域科技成果转化模式与政策研究",
    "{city}{field}产业集群发展战略研究",
    "{field}科技成果评价指标体系研究",
    "促进{field}科技成果就地转化的机制研究",
)

FISCAL_PROGRAMMES = (
    ("国家重点研发计划", "{year}YFB{n7}"),
    ("国家自然科学基金", "{n8}"),
    ("湖北省重点研发计划", "{year}BAB{n3}"),
    ("湖北省自然科学基金", "{year}CFB{n3}"),
    ("湖北省技术创新计划", "{year}BEB{n3}"),
    ("武汉市知识创新专项", "{year}0201010{n5}"),
    ("宜昌市科学技术研究与开发项目", "A{year}-{n3}"),
)

RETURN_REASONS = (
    "请补充主要技术指标的测试依据。",
    "完成人排序与成果评价证书不一致，请核对。",
    "财政资金项目编号有误，请与任务书核对后重新提交。",
    "知识产权信息不完整，请补充专利号及法律状态。",
    "成果简介过于简略，请说明创新点和应用情况。",
)
REVOKE_REASONS = (
    "经核查，成果权属存在争议，暂停公开。",
    "完成单位申请撤销，成果已另行登记。",
    "成果材料中的评价证书无法核实。",
)
