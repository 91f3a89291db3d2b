"""Login pages. Staff: username + password through django.contrib.auth, so django-axes counts failures per
username and locks it (AXES_LOCKOUT_CALLABLE points at `lockout_response` here). Drivers: phone + SMS code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from chelun.accounts import services
from chelun.accounts.forms import OtpLoginForm, OtpRequestForm, StaffLoginForm
from chelun.accounts.landing import landing_url
from chelun.core.forms import submit
from chelun.core.views import HtmxHttpRequest

TAB_STAFF, TAB_DRIVER = "staff", "driver"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
LOCKOUT_MESSAGE = "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    # `/` sends each user on to where their role works (accounts.landing).
    return reverse("home")


def _render_login(
    request: HttpRequest,
    *,
    tab: str,
    staff_form: StaffLoginForm | None = None,
    driver_form: OtpRequestForm | None = None,
    notice: str = "",
    otp_errors: list[str] | None = None,
    status: int = 200,
    partial: bool = False,
) -> HttpResponse:
    context: dict[str, Any] = {
        "tab": tab,
        "staff_form": staff_form or StaffLoginForm(),
        "driver_form": driver_form or OtpLoginForm(),
        "notice": notice,
        "otp_errors": otp_errors or [],
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    template = "accounts/partials/_driver_form.html" if partial else "accounts/login.html"
    return render(request, template, context, status=status)


@sensitive_post_parameters("password", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HtmxHttpRequest) -> HttpResponse:
    tab = TAB_DRIVER if (request.POST.get("tab") or request.GET.get("tab")) == TAB_DRIVER else TAB_STAFF
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(_next_url(request))
        return _render_login(request, tab=tab)

    if tab == TAB_STAFF:
        staff_form = StaffLoginForm(request.POST)
        if staff_form.is_valid():
            user = authenticate(
                request=request,
                username=staff_form.cleaned_data["username"],
                password=staff_form.cleaned_data["password"],
            )
            if user is not None:
                login(request, user)
                return redirect(_next_url(request))
            # When axes has locked the username, its middleware swaps this response for lockout_response.
            staff_form.add_error(None, "用户名或密码错误")
        return _render_login(request, tab=tab, staff_form=staff_form, status=400)

    driver_form = OtpLoginForm(request.POST)
    submitted = submit(
        driver_form,
        lambda: services.otp_verify(phone=driver_form.cleaned_data["phone"], code=driver_form.cleaned_data["code"]),
    )
    if submitted.ok:
        login(request, submitted.result, backend=MODEL_BACKEND)
        return redirect(_next_url(request))
    return _render_login(request, tab=tab, driver_form=driver_form, status=400)


@csrf_protect
@never_cache
@require_POST
def otp_request(request: HtmxHttpRequest) -> HttpResponse:
    """Send a login code. The answer is the same whether or not the phone is registered."""
    form = OtpRequestForm(request.POST)
    submitted = submit(form, lambda: services.otp_request(phone=form.cleaned_data["phone"]))
    # Every refusal is a 400 here, whatever its cause, like the login form's.
    status = 200 if submitted.ok else 400
    notice = "如该手机号已登记，验证码已通过短信发送，5 分钟内有效。" if submitted.ok else ""
    # The code form comes back with the phone filled in, the request's errors shown above it.
    return _render_login(
        request,
        tab=TAB_DRIVER,
        driver_form=OtpLoginForm(initial={"phone": request.POST.get("phone", "")}),
        notice=notice,
        otp_errors=[str(message) for messages in form.errors.values() for message in messages],
        status=status,
        partial=bool(request.htmx),
    )


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    """`/`: each user to where their role works (accounts.landing); visitors to the driver's pages, not a login."""
    return redirect(landing_url(request.user))


@require_POST
def logout_view(request: HtmxHttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGIN_URL)


def lockout_response(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """django-axes calls this (with the original response and credentials) once a username is locked."""
    staff_form = StaffLoginForm(request.POST or None)
    staff_form.is_valid()
    staff_form.add_error(None, LOCKOUT_MESSAGE)
    return _render_login(request, tab=TAB_STAFF, staff_form=staff_form, status=429)
