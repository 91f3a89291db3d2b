from django.http import HttpRequest, HttpResponse


def lockout_response(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    return HttpResponse("登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。", status=429)
