from django.urls import path

from chelun.grid import views

app_name = "grid"

urlpatterns = [
    path("", views.home, name="home"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/cells.geojson", views.cells, name="cells"),
    path("gaps/", views.gaps, name="gaps"),
    path("me/", views.my, name="my"),
    path("me/consent", views.consent_toggle, name="consent"),
    path("members/", views.members, name="members"),
    path("attachments/<int:attachment_id>/confirm", views.attachment_confirm, name="attachment_confirm"),
]
