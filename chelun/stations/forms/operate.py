"""Forms of the operator's phone console: live status, the price list, answers to feedback and photos."""

from __future__ import annotations

from typing import Any

from django import forms

from chelun.core.money import yuan_text
from chelun.stations.forms.fields import YuanField

# Under 1,000 万元 (as the nine-digit price field always allowed): StationPrice.price_fen is a 32-bit column.
MAX_PRICE_FEN = 10_000_000 * 100


class StatusSetForm(forms.Form):
    """Open/closed and free truck spaces. Range checks are the service's (its messages reach the user)."""

    is_open = forms.TypedChoiceField(
        choices=(("1", "营业中"), ("0", "已关闭")),
        coerce=lambda v: v == "1",
        error_messages={"required": "请选择营业中或已关闭"},
    )
    free_spaces = forms.IntegerField(label="空余货车位", required=False, error_messages={"invalid": "请输入整数"})
    # A quick button (0, a quarter, half ...) carries its count here and wins over the typed number.
    quick = forms.IntegerField(required=False, error_messages={"invalid": "请输入整数"})

    def free(self) -> int | None:
        if not self.cleaned_data.get("is_open"):
            return None
        quick = self.cleaned_data.get("quick")
        return quick if quick is not None else self.cleaned_data.get("free_spaces")


class PricesForm(forms.Form):
    """One price (元) and unit per service the station offers; a blank price leaves that service as it is."""

    def __init__(self, *args: Any, services: list[tuple[str, str, bool]], initial_prices: dict, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.services = services
        for code, label, _free in services:
            current = initial_prices.get(code)
            self.fields[f"price_{code}"] = YuanField(
                label=label,
                required=False,
                max_fen=MAX_PRICE_FEN,
                initial=yuan_text(current[0]) if current else None,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
            self.fields[f"unit_{code}"] = forms.CharField(
                label="单位",
                required=False,
                max_length=16,
                initial=current[1] if current else "",
                widget=forms.TextInput(attrs={"placeholder": "次/晚/份"}),
            )

    def rows(self) -> list[tuple[str, str, bool, Any, Any]]:
        return [(code, label, free, self[f"price_{code}"], self[f"unit_{code}"]) for code, label, free in self.services]

    def prices(self) -> tuple[dict[str, int], dict[str, str]]:
        """({service: fen}, {service: unit}) for the services given a price."""
        prices: dict[str, int] = {}
        units: dict[str, str] = {}
        for code, _label, _free in self.services:
            fen = self.cleaned_data.get(f"price_{code}")
            if fen is None:
                continue
            prices[code] = fen
            units[code] = (self.cleaned_data.get(f"unit_{code}") or "").strip()
        return prices, units


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="答复",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写答复内容", "max_length": "答复不能超过 1000 字"},
    )


class PhotoForm(forms.Form):
    """One photo for the station's gallery. What counts as an image is the service's rule (it reads the bytes)."""

    image = forms.FileField(
        label="照片",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": "请选择照片", "empty": "上传的文件是空的", "invalid": "请选择照片文件"},
        help_text="JPEG、PNG 或 WebP，不超过 5 MB，每站最多 12 张",
    )
    caption = forms.CharField(
        label="说明",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：淋浴间"}),
        error_messages={"max_length": "照片说明不能超过 64 个字"},
    )
