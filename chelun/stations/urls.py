from django.urls import path

from chelun.stations import views

app_name = "stations"
urlpatterns = [
    # Drivers (public)
    path("", views.home, name="home"),
    path("basemap.geojson", views.basemap, name="basemap"),
    path("sw.js", views.service_worker, name="sw"),
    path("route/", views.route, name="route"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/share/", views.share, name="share"),
    path("<int:pk>/qr/", views.qr, name="qr"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/feedback/", views.feedback, name="feedback"),
    # Operators (their own stations)
    path("operate/", views.operate_list, name="operate_list"),
    path("operate/<int:pk>/", views.operate, name="operate"),
    path("operate/<int:pk>/status/", views.operate_status, name="operate_status"),
    path("operate/<int:pk>/prices/", views.operate_prices, name="operate_prices"),
    path("operate/<int:pk>/info/", views.operate_info, name="operate_info"),
    path("operate/<int:pk>/photos/", views.operate_photo_add, name="operate_photo_add"),
    path("operate/<int:pk>/photos/<int:photo_id>/remove/", views.operate_photo_remove, name="operate_photo_remove"),
    path("operate/feedback/<int:pk>/reply/", views.feedback_reply, name="feedback_reply"),
    # Province console (organisation scope)
    path("console/", views.console, name="console"),
    path("console/new/", views.station_create, name="create"),
    path("console/gaps/", views.gaps, name="gaps"),
    path("console/funding/", views.funding, name="funding"),
    path("console/funding/<int:pk>/", views.funding_station, name="funding_station"),
    path("console/funding/<int:pk>/costs/", views.funding_costs, name="funding_costs"),
    path("console/funding/<int:pk>/subsidies/", views.funding_subsidy, name="funding_subsidy"),
]
