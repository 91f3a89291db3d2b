from django.urls import path

from chelun.core import views

app_name = "core"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit, name="audit"),
]
