from django.urls import path

from chelun.members import views

app_name = "members"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("me/", views.me, name="me"),
    path("secretary/<int:org_pk>/", views.secretary_edit, name="secretary"),
    path("new/", views.person_create, name="create"),
    path("export/", views.person_export_start, name="export_start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
]
