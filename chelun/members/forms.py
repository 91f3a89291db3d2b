"""Forms of the people pages. Forms only clean input; the views hand it to the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q

from chelun.core.forms import RegionField
from chelun.members.choices import PartyStatus, ProfileType, SensitiveField
from chelun.members.models import Person
from chelun.members.selectors import organization_secretary, secretary_candidates
from chelun.orgs.models import Organization
from chelun.orgs.selectors import organization_list, organization_list_for_action

MAX_ORG_OPTIONS = 2000
MAX_SECRETARY_OPTIONS = 2000  # candidates the secretary <select> lists


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="姓名", required=False, max_length=64)
    region = RegionField(required=False, label="常住地")
    profile_type = forms.ChoiceField(label="人员类型", required=False, choices=[("", "全部类型"), *ProfileType.choices])
    party_status = forms.ChoiceField(label="党籍状态", required=False, choices=[("", "不限"), *PartyStatus.choices])
    org = forms.IntegerField(label="所属组织", required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"placeholder": "姓名", "type": "search"})


class PersonCreateForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(
        label="身份证号",
        max_length=24,
        error_messages={"required": "请填写身份证号"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    org = forms.ModelChoiceField(
        label="所属组织",
        queryset=Organization.objects.none(),
        error_messages={"required": "请选择所属组织", "invalid_choice": "请选择有效的组织"},
    )
    region = RegionField(label="常住地", empty_label="请选择", error_messages={"required": "请选择常住地"})

    def __init__(self, *args: Any, actor: Any, within: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["org"])
        # Any visible organisation validates, so a missing right is reported by the service in its words.
        field.queryset = organization_list(actor=actor)
        candidates = organization_list_for_action(actor=actor, action="person.change", within=within)
        rows = list(candidates[:MAX_ORG_OPTIONS])
        base = min((o.depth for o in rows), default=0)
        field.choices = [("", "请选择"), *[(str(o.pk), "　" * (o.depth - base) + o.name) for o in rows]]
        cast(RegionField, self.fields["region"]).load_choices()


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=SensitiveField.choices, error_messages={"invalid_choice": "未知字段"})


class SecretaryForm(forms.Form):
    """Choose an organisation's secretary among the party members of its subtree the actor sees; whoever is
    secretary now stays selectable (they may be registered elsewhere)."""

    secretary = forms.ModelChoiceField(label="书记", queryset=Person.objects.none(), required=False)

    def __init__(self, *args: Any, actor: Any, organization: Organization, **kwargs: Any) -> None:
        current = organization_secretary(organization=organization)
        kwargs.setdefault("initial", {"secretary": current.pk if current else None})
        super().__init__(*args, **kwargs)
        members = secretary_candidates(actor=actor, organization=organization)
        field = cast(forms.ModelChoiceField, self.fields["secretary"])
        field.queryset = Person.objects.filter(Q(pk__in=members.values("pk")) | Q(pk=current.pk if current else 0))
        options = list(members.select_related("org")[:MAX_SECRETARY_OPTIONS])
        if current is not None and all(p.pk != current.pk for p in options):
            options.insert(0, current)
        field.choices = [("", "（未设置）"), *[(str(p.pk), f"{p.name}（{p.org.name}）") for p in options]]
        field.error_messages["invalid_choice"] = "请从列表中选择书记"
