from django.urls import path

from chelun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.otp_request, name="otp_request"),
    path("logout/", views.logout_view, name="logout"),
]
