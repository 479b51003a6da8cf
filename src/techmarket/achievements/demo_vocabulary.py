"""Words the achievements demo builds its titles, funding and review reasons from (see achievements.demo)."""

from __future__ import annotations

SOFT_TOPICS = (
    "湖北省{field}产业技术创新体系研究",
    "{field}领域科技成果转化模式与政策研究",
    "{city}{field}产业集群发展战略研究",
    "{field}科技成果评价指标体系研究",
    "促进{field}科技成果就地转化的机制研究",
)

# Appended to a topic's title stem (core.demo_topics) so records of one topic read as distinct projects.
TITLE_SUFFIXES = ("", "及应用", "及产业化", "中试验证", "关键工艺优化", "及示范应用", "的工程化研究")

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
