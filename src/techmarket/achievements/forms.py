"""The registration form (科技成果登记表) as a page form; the service validates the business rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementStage,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
)
from techmarket.achievements.models import Achievement
from techmarket.achievements.services import RECORD_FIELDS
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.forms import ClassificationChoiceField
from techmarket.core.models import Classification, Region

PERSON_ROLE_BY_LABEL = {str(label): value for value, label in PersonRole.choices}
IP_TYPE_BY_LABEL = {str(label): value for value, label in PatentType.choices}
IP_STATUS_BY_LABEL = {str(label): value for value, label in PatentStatus.choices}


def _split_line(line: str) -> list[str]:
    return [part.strip() for part in line.replace("，", ",").replace("|", ",").split(",")]


class AchievementForm(forms.Form):
    name = forms.CharField(label=_("成果名称"), max_length=200)
    achievement_type = forms.ChoiceField(label=_("成果类型"), choices=AchievementType.choices)
    confidentiality = forms.ChoiceField(
        label=_("密级"),
        choices=Confidentiality.choices,
        initial=Confidentiality.PUBLIC,
        help_text=_("受限：仅本单位、所在地区审核员和您授权的用户可见。涉密成果不得在线登记。"),
    )
    discipline = ClassificationChoiceField(
        label=_("学科分类（GB/T 13745）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE),
    )
    industry = ClassificationChoiceField(
        label=_("行业分类（GB/T 4754）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY),
    )
    region = forms.ModelChoiceField(
        label=_("所属地区"), queryset=Region.objects.filter(level__in=[RegionLevel.COUNTY, RegionLevel.CITY])
    )
    keywords = forms.CharField(label=_("关键词"), max_length=200, help_text=_("1–5个，用逗号分隔。"))
    abstract = forms.CharField(
        label=_("成果简介"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    technical_indicators = forms.CharField(
        label=_("主要技术指标"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000
    )
    innovation_points = forms.CharField(
        label=_("创新点"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000
    )
    application_prospects = forms.CharField(
        label=_("应用前景"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20000
    )
    funding_source = forms.ChoiceField(label=_("经费来源"), choices=FundingSource.choices)
    programme_name = forms.CharField(label=_("计划名称"), max_length=200, required=False)
    project_number = forms.CharField(label=_("项目编号"), max_length=64, required=False)
    evaluation_form = forms.ChoiceField(label=_("评价方式"), choices=EvaluationForm.choices)
    evaluation_date = forms.DateField(
        label=_("评价日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    completion_date = forms.DateField(label=_("完成日期"), widget=forms.DateInput(attrs={"type": "date"}))
    attribute = forms.ChoiceField(label=_("成果属性"), choices=AchievementAttribute.choices)
    stage = forms.ChoiceField(label=_("所处阶段"), choices=AchievementStage.choices)
    trl = forms.IntegerField(label=_("技术就绪度（TRL 1–9）"), min_value=1, max_value=9)
    transfer_modes = forms.MultipleChoiceField(
        label=_("意向转化方式"), choices=TransferMode.choices, widget=forms.CheckboxSelectMultiple
    )
    price_negotiable = forms.BooleanField(label=_("价格面议"), required=False)
    reference_price = forms.DecimalField(
        label=_("参考价格（万元）"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    organisations = forms.CharField(
        label=_("完成单位"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("每行一个，按排名顺序。"),
    )
    persons = forms.CharField(
        label=_("完成人"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("每行一人：姓名，工作单位，职称，角色（项目负责人/主要完成人/参与人）。"),
    )
    ip_rights = forms.CharField(
        label=_("知识产权"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "每行一项：专利号，类型（发明专利/实用新型/外观设计/软件著作权/其他知识产权），"
            "状态（已申请/已授权/已失效）。"
        ),
    )

    def clean_persons(self) -> list[dict[str, str]]:
        persons = []
        for number, line in enumerate(self.cleaned_data["persons"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [*_split_line(line), "", "", ""]
            role = PERSON_ROLE_BY_LABEL.get(parts[3], PersonRole.LEADER if number == 1 else PersonRole.MAIN)
            persons.append(
                {
                    "name": parts[0][:64],
                    "organisation_name": parts[1][:200],
                    "title": parts[2][:64],
                    "role": role,
                }
            )
        return persons

    def clean_ip_rights(self) -> list[dict[str, str]]:
        rights = []
        for number, line in enumerate(self.cleaned_data["ip_rights"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [*_split_line(line), "", ""]
            ip_type, status = IP_TYPE_BY_LABEL.get(parts[1]), IP_STATUS_BY_LABEL.get(parts[2])
            if not parts[0] or ip_type is None or status is None:
                raise forms.ValidationError(
                    _("第%(n)d行格式不正确：应为“专利号，类型，状态”。") % {"n": number}
                )
            rights.append({"number": parts[0][:64], "ip_type": ip_type, "status": status})
        return rights

    def clean_organisations(self) -> list[str]:
        return [
            line.strip()[:200] for line in self.cleaned_data["organisations"].splitlines() if line.strip()
        ]

    @staticmethod
    def initial_from(achievement: Achievement) -> dict[str, Any]:
        role_labels = dict(PersonRole.choices)
        type_labels, status_labels = dict(PatentType.choices), dict(PatentStatus.choices)
        return {
            **{field: getattr(achievement, field) for field in RECORD_FIELDS if field != "transfer_modes"},
            "transfer_modes": achievement.transfer_mode_list,
            "organisations": "\n".join(o.name for o in achievement.completing_organisations.all()),
            "persons": "\n".join(
                f"{p.name}，{p.organisation_name}，{p.title}，{role_labels[p.role]}"
                for p in achievement.completing_persons.all()
            ),
            "ip_rights": "\n".join(
                f"{ip.number}，{type_labels[ip.ip_type]}，{status_labels[ip.status]}"
                for ip in achievement.ip_rights.all()
            ),
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF）"))


class GrantForm(forms.Form):
    username = forms.CharField(label=_("授权用户的用户名"), max_length=150)
