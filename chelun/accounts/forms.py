"""Login forms: staff (username + password) and drivers (phone + one-time code)."""

from __future__ import annotations

from django import forms


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpRequestForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "11 位手机号"}),
        error_messages={"required": "请填写手机号"},
    )


class OtpLoginForm(OtpRequestForm):
    code = forms.RegexField(
        label="验证码",
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6 位数字"}
        ),
        error_messages={"required": "请填写验证码", "invalid": "验证码应为 6 位数字"},
    )
