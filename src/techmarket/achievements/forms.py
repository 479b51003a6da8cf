"""The registration form (科技成果登记表) as a page form; the service validates the business rules.

The main form carries the record's own fields; the completing organisations, persons and IP rights are
formsets of rows beside it (:class:`FilingForms` binds the four together). Discipline, industry and
region are the catalogue's cascading pickers; the stage is not asked for (it follows from the TRL).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.choices import (
    AchievementAttribute,
    AchievementType,
    Confidentiality,
    EvaluationForm,
    FundingSource,
    PatentStatus,
    PatentType,
    PersonRole,
    TransferMode,
)
from techmarket.achievements.models import REFERENCE_PRICE_VALIDATORS, Achievement
from techmarket.achievements.services import RECORD_FIELDS
from techmarket.core.choices import ClassificationScheme, RegionLevel
from techmarket.core.errors import DomainError
from techmarket.core.models import Classification, Region
from techmarket.core.pickers import CodePicker, CodePickerField
from techmarket.core.web import apply_domain_error

MAX_ORGANISATIONS = 20
MAX_PERSONS = 50
MAX_IP_RIGHTS = 50


class _RecordBoundField(forms.BoundField):
    """The picker renders codes: the cleaned record (or an initial one) is shown by its code."""

    def value(self) -> Any:
        cleaned = getattr(self.form, "cleaned_data", None)
        if cleaned is not None and self.name in cleaned and not self.errors:
            value = cleaned[self.name]
        else:
            value = super().value()
        return getattr(value, "code", value)


class RecordPickerField(CodePickerField):
    """A cascading picker that cleans to the chosen code's row (a Classification or a Region)."""

    def __init__(self, tree: str, *, queryset: QuerySet[Any], **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        kwargs.setdefault("widget", CodePicker(tree, choose=True))
        super().__init__(tree, **kwargs)
        self.queryset = queryset

    def clean(self, value: Any) -> Model | None:
        code = super().clean(value)
        if not code:
            return None
        found = self.queryset.filter(code=code).first()
        if found is None:
            raise ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": code, "label": self.label}
            )
        return found

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        return _RecordBoundField(form, self, field_name)


class AchievementForm(forms.Form):
    name = forms.CharField(label=_("成果名称"), max_length=200)
    achievement_type = forms.ChoiceField(label=_("成果类型"), choices=AchievementType.choices)
    confidentiality = forms.ChoiceField(
        label=_("密级"),
        choices=Confidentiality.choices,
        initial=Confidentiality.PUBLIC,
        help_text=_("受限：仅本单位、所在地区审核员和您授权的用户可见。涉密成果不得在线登记。"),
    )
    discipline = RecordPickerField(
        ClassificationScheme.DISCIPLINE,
        label=_("学科分类（GB/T 13745）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DISCIPLINE),
        help_text=_("逐级选择，选到最能说明成果的一级即可。"),
    )
    industry = RecordPickerField(
        ClassificationScheme.INDUSTRY,
        label=_("行业分类（GB/T 4754）"),
        queryset=Classification.objects.filter(scheme=ClassificationScheme.INDUSTRY),
        help_text=_("逐级选择，选到最能说明成果的一级即可。"),
    )
    region = RecordPickerField(
        "region",
        label=_("所属地区"),
        queryset=Region.objects.all(),
        help_text=_("依次选择省、市、县（区），至少选到市一级。"),
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
    trl = forms.IntegerField(
        label=_("技术就绪度（TRL 1–9）"),
        min_value=1,
        max_value=9,
        help_text=_("所处阶段由技术就绪度推出：1–3级为初期阶段，4–6级为中期阶段，7–9级为成熟应用阶段。"),
    )
    transfer_modes = forms.MultipleChoiceField(
        label=_("意向转化方式"), choices=TransferMode.choices, widget=forms.CheckboxSelectMultiple
    )
    price_negotiable = forms.BooleanField(label=_("价格面议"), required=False)
    # No digit limit here: the bounds (REFERENCE_PRICE_VALIDATORS) say what is wrong in 万元.
    reference_price = forms.DecimalField(
        label=_("参考价格（万元）"),
        decimal_places=2,
        required=False,
        validators=REFERENCE_PRICE_VALIDATORS,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
    )

    def clean_region(self) -> Region | None:
        region: Region | None = self.cleaned_data.get("region")
        if region is not None and region.level not in (RegionLevel.COUNTY, RegionLevel.CITY):
            raise ValidationError(_("请继续选择到市或县（区）一级。"), code="level")
        return region

    @staticmethod
    def initial_from(achievement: Achievement) -> dict[str, Any]:
        return {
            **{field: getattr(achievement, field) for field in RECORD_FIELDS if field != "transfer_modes"},
            "transfer_modes": achievement.transfer_mode_list,
        }


class OrganisationRowForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)


class PersonRowForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    organisation_name = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    title = forms.CharField(label=_("职称"), max_length=64, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=PersonRole.choices, initial=PersonRole.MAIN)


class IPRowForm(forms.Form):
    number = forms.CharField(label=_("专利号/登记号"), max_length=64)
    ip_type = forms.ChoiceField(label=_("类型"), choices=[("", _("请选择")), *PatentType.choices])
    status = forms.ChoiceField(label=_("法律状态"), choices=[("", _("请选择")), *PatentStatus.choices])
    title = forms.CharField(label=_("名称"), max_length=200, required=False)


def _formset(form: type[forms.Form], maximum: int) -> type[forms.BaseFormSet[Any]]:
    return forms.formset_factory(
        form, extra=1, can_delete=True, max_num=maximum, validate_max=True, absolute_max=maximum
    )


OrganisationFormSet = _formset(OrganisationRowForm, MAX_ORGANISATIONS)
PersonFormSet = _formset(PersonRowForm, MAX_PERSONS)
IPFormSet = _formset(IPRowForm, MAX_IP_RIGHTS)

# Formset prefix → (formset class, its legend); the prefixes are also the service's data keys.
CHILD_FORMSETS: dict[str, tuple[type[forms.BaseFormSet[Any]], Any]] = {
    "organisations": (OrganisationFormSet, _("完成单位（按排名顺序）")),
    "persons": (PersonFormSet, _("完成人（按排名顺序）")),
    "ip_rights": (IPFormSet, _("知识产权")),
}


def _rows(formset: forms.BaseFormSet[Any]) -> list[dict[str, Any]]:
    """The kept rows of a valid formset, in page order (deleted and untouched blank rows dropped)."""
    kept = []
    for index, row in enumerate(formset.forms):
        stored = index < formset.initial_form_count()  # a row the record had: kept unless deleted
        if not (stored or row.has_changed()) or not row.cleaned_data or row.cleaned_data.get("DELETE"):
            continue
        kept.append({name: value for name, value in row.cleaned_data.items() if name != "DELETE"})
    return kept


class FilingForms:
    """The registration form and its three row formsets, bound and validated together; the service
    then writes the record and its rows in one transaction."""

    def __init__(self, data: Any = None, *, achievement: Achievement | None = None) -> None:
        initial = AchievementForm.initial_from(achievement) if achievement is not None else None
        self.form = AchievementForm(data, initial=initial)
        rows: dict[str, list[dict[str, Any]]] = {"organisations": [], "persons": [], "ip_rights": []}
        if achievement is not None:
            rows = {
                "organisations": [{"name": o.name} for o in achievement.completing_organisations.all()],
                "persons": [
                    {
                        "name": p.name,
                        "organisation_name": p.organisation_name,
                        "title": p.title,
                        "role": p.role,
                    }
                    for p in achievement.completing_persons.all()
                ],
                "ip_rights": [
                    {"number": ip.number, "ip_type": ip.ip_type, "status": ip.status, "title": ip.title}
                    for ip in achievement.ip_rights.all()
                ],
            }
        self.row_errors: dict[str, list[Any]] = {}
        self.formsets = {
            prefix: formset_class(data, prefix=prefix, initial=rows[prefix])
            for prefix, (formset_class, _legend) in CHILD_FORMSETS.items()
        }

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *(formset.is_valid() for formset in self.formsets.values())]
        return all(results)

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """What the service takes: the record's fields and its rows as lists."""
        data = dict(self.form.cleaned_data)
        data["organisations"] = [row["name"] for row in _rows(self.formsets["organisations"])]
        data["persons"] = _rows(self.formsets["persons"])
        data["ip_rights"] = _rows(self.formsets["ip_rights"])
        return data

    def apply_error(self, error: DomainError) -> None:
        """The service's messages on the fields; messages about the rows go above their formset."""
        apply_domain_error(self.form, error)
        for prefix in self.formsets:
            self.row_errors[prefix] = [*self.row_errors.get(prefix, []), *error.fields.get(prefix, [])]

    def sections(self) -> list[dict[str, Any]]:
        """The formsets as the template lays them out: prefix, legend, formset and the service's errors."""
        return [
            {
                "prefix": prefix,
                "legend": CHILD_FORMSETS[prefix][1],
                "formset": formset,
                "errors": [*formset.non_form_errors(), *self.row_errors.get(prefix, [])],
            }
            for prefix, formset in self.formsets.items()
        ]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF）"))


class GrantForm(forms.Form):
    username = forms.CharField(label=_("授权用户的用户名"), max_length=150)
