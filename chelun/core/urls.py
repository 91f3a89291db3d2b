from django.urls import path

from chelun.core import export_views, views

app_name = "core"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", views.audit, name="audit"),
    path("exports/", export_views.export_job_list, name="export_jobs"),
    path("exports/<int:pk>/", export_views.export_job_status, name="export_job"),
    path("exports/<int:pk>/download/", export_views.export_job_file, name="export_download"),
]
