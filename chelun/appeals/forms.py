"""Forms of the service desk pages: they clean; the views then call the services (core.forms.submit)."""

from __future__ import annotations

from typing import Any

from django import forms

from chelun.appeals import selectors
from chelun.appeals.choices import AppealStatus, ContactPreference, RouteTarget
from chelun.appeals.models import Category
from chelun.core.forms import RegionField
from chelun.core.models import Region
from chelun.stations.selectors import StationFilter, station_public_list


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos from the phone's camera or album; their content is checked by the service."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


def station_choices() -> list[tuple[str, str]]:
    return [
        ("", "不涉及站点"),
        *[(str(s.pk), s.name) for s in station_public_list(filters=StationFilter())],
    ]


class SubmitForm(forms.Form):
    category = forms.ModelChoiceField(
        label="遇到什么问题", queryset=Category.objects.none(), empty_label=None, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="情况说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "可点键盘上的话筒直接说"}),
        error_messages={"required": "请描述遇到的问题"},
    )
    region = RegionField(required=False, label="所在地区", empty_label="用我的位置 / 常住地")
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    place_text = forms.CharField(label="地点说明", required=False, max_length=120)
    station = forms.TypedChoiceField(label="所涉暖心之家", required=False, coerce=int, empty_value=None)
    contact = forms.ChoiceField(label="联系方式", choices=ContactPreference.choices, initial=ContactPreference.PHONE)
    photos = PhotosField(label="照片（可选，最多 3 张，每张不超过 5 MB）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories()  # type: ignore[attr-defined]
        self.fields["station"].choices = station_choices()  # type: ignore[attr-defined]
        self.fields["photos"].widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})

    def load_choices(self) -> None:
        self.fields["region"].load_choices()  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *AppealStatus.choices])
    category = forms.ModelChoiceField(
        label="类别", required=False, queryset=Category.objects.all(), empty_label="全部类别"
    )
    region = RegionField(required=False)
    overdue = forms.BooleanField(label="仅看超期", required=False)
    escalated = forms.BooleanField(label="仅看已升级", required=False)

    def to_filter(self) -> selectors.AppealFilter:
        data = self.cleaned_data
        region: Region | None = data.get("region")
        category: Category | None = data.get("category")
        return selectors.AppealFilter(
            status=data.get("status") or "",
            category_id=category.pk if category else None,
            region_id=region.pk if region else None,
            overdue=bool(data.get("overdue")),
            escalated=bool(data.get("escalated")),
        )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[(5, "★★★★★ 非常满意"), (4, "★★★★ 满意"), (3, "★★★ 一般"), (2, "★★ 不满意"), (1, "★ 很不满意")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意度"},
    )
    comment = forms.CharField(label="评价（可选）", required=False, max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="办理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    money_recovered = forms.DecimalField(
        label="追回欠款（元）", required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def money_fen(self) -> int:
        value = self.cleaned_data.get("money_recovered")
        return int(value * 100) if value is not None else 0


class TransferForm(forms.Form):
    to_organization = forms.IntegerField(label="转至组织编号", widget=forms.Select)
    reason = forms.CharField(label="转办理由", max_length=500)

    def __init__(self, *args: Any, organizations: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].widget.choices = organizations or []  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    into = forms.IntegerField(label="合并到诉求（编号末位 ID）", min_value=1)
    reason = forms.CharField(label="说明", required=False, max_length=500)


class NoteForm(forms.Form):
    text = forms.CharField(label="内部备注（司机不可见）", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(forms.Form):
    days = forms.IntegerField(label="督办期限（工作日）", min_value=1, max_value=60, initial=5)
    reason = forms.CharField(label="督办事由", max_length=500)


class EmptyForm(forms.Form):
    pass


class RoutePreviewForm(forms.Form):
    category = forms.ModelChoiceField(label="类别", queryset=Category.objects.all(), empty_label=None)
    region = RegionField(required=False, empty_label="未提供地点")
    station = forms.TypedChoiceField(label="所涉暖心之家", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = station_choices()  # type: ignore[attr-defined]


class RoutingRuleForm(forms.Form):
    category = forms.ModelChoiceField(
        label="类别", required=False, queryset=Category.objects.all(), empty_label="全部类别"
    )
    region = RegionField(required=False, empty_label="全省")
    target = forms.ChoiceField(label="分派给", choices=RouteTarget.choices)
    organization = forms.IntegerField(label="指定组织编号（分派给指定组织时必填）", required=False)
    priority = forms.IntegerField(label="优先级（小者优先）", min_value=0, max_value=1000, initial=50)
    note = forms.CharField(label="说明", required=False, max_length=120)


class StatisticsForm(forms.Form):
    group = forms.ChoiceField(
        label="统计维度",
        required=False,
        choices=[("category", "按类别"), ("owner", "按承办组织"), ("region", "按地区")],
    )
    since = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
