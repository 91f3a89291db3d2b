"""Forms shared by every app's pages: the one form -> service -> errors step (`submit`), the region picker
(prefecture or county) and the audit-log filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django import forms

from chelun.core.audit import ACTION_LABELS, AuditFilter, audited_model_choices
from chelun.core.errors import ApplicationError
from chelun.core.models import Region, RegionLevel

T = TypeVar("T")

#: What a form that does not clean answers (the input was understood but is not acceptable).
INVALID_FORM_STATUS = 422


def form_errors_from(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Put a service error on the form: each message on the field the service named (or on top when the form
    has no such field); the general message on top when the service named no field."""
    fields = (exc.extra or {}).get("fields") or {}
    for field, field_messages in fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    if not fields:
        form.add_error(None, exc.message)


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """What came of a posted form: the HTTP status its answer takes and, when it went through, what the service
    returned."""

    status: int
    _result: Any = None

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def result(self) -> T:
        """What the service returned. A submission that did not go through has none: asking is a bug."""
        if not self.ok:
            raise RuntimeError("the form did not go through, so the service returned nothing")
        return cast(T, self._result)


def submit(form: forms.BaseForm, action: Callable[[], T]) -> Submitted[T]:
    """The form -> service -> errors step every page post takes. The form cleans; only if it does, `action` (the
    service call, reading `form.cleaned_data`) runs. Input that does not clean answers 422 with the form's own
    errors; an ApplicationError puts its messages on the form (see form_errors_from) and answers its status;
    otherwise 200 with the service's result. Nothing else is caught: a bug stays a 500."""
    if not form.is_valid():
        return Submitted(INVALID_FORM_STATUS)
    try:
        result = action()
    except ApplicationError as exc:
        form_errors_from(form, exc)
        return Submitted(exc.status_code)
    return Submitted(200, result)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def region_choices() -> list[Any]:
    """Prefectures, each followed by its counties, as grouped <select> choices (one query)."""
    regions = Region.objects.filter(level__in=(RegionLevel.PREFECTURE, RegionLevel.COUNTY)).order_by("code")
    regions = regions.only("id", "name", "level", "parent_id")
    prefectures: list[Region] = []
    counties: dict[int | None, list[Region]] = {}
    for region in regions:
        if region.level == RegionLevel.PREFECTURE:
            prefectures.append(region)
        else:
            counties.setdefault(region.parent_id, []).append(region)
    return [
        (p.name, [(str(p.pk), f"{p.name}（全市）"), *[(str(c.pk), c.name) for c in counties.get(p.pk, [])]])
        for p in prefectures
    ]


class RegionField(forms.ModelChoiceField):
    """A prefecture or county of Sichuan, picked from a grouped list. The form that uses it calls
    `load_choices()` when it is going to be rendered (validation alone needs no list)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "地区")
        kwargs.setdefault("empty_label", "全部地区")
        kwargs.setdefault("error_messages", {"invalid_choice": "请选择有效的地区"})
        queryset = Region.objects.filter(level__in=(RegionLevel.PREFECTURE, RegionLevel.COUNTY))
        super().__init__(queryset=queryset, **kwargs)

    def load_choices(self) -> None:
        self.choices = [("", self.empty_label or ""), *region_choices()]


class AuditFilterForm(forms.Form):
    action = forms.TypedChoiceField(
        label="操作",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "全部操作"), *[(int(k), v) for k, v in ACTION_LABELS.items()]],
    )
    # Every audited model (stations, feedback, funding ... as the apps register them), read when the form is made.
    model = forms.ChoiceField(
        label="对象类型", required=False, choices=lambda: [("", "全部类型"), *audited_model_choices()]
    )
    actor = forms.CharField(label="操作人（用户名）", required=False, max_length=150)
    since = forms.DateField(label="起始日期", required=False, widget=DateInput())
    until = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action"),
            model=data.get("model") or "",
            actor_username=(data.get("actor") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
