from django.urls import path

from chelun.stations.views import assets, card, console, driver, funding, operate, records

app_name = "stations"
urlpatterns = [
    # Drivers (public)
    path("", driver.home, name="home"),
    path("basemap.geojson", assets.basemap, name="basemap"),
    path("sw.js", assets.service_worker, name="sw"),
    path("route/", driver.route, name="route"),
    path("<int:pk>/", card.detail, name="detail"),
    path("<int:pk>/share/", card.share, name="share"),
    path("<int:pk>/qr/", card.qr, name="qr"),
    path("<int:pk>/checkin/", card.checkin, name="checkin"),
    path("<int:pk>/confirm/", card.confirm, name="confirm"),
    path("<int:pk>/feedback/", card.feedback, name="feedback"),
    # A signed-in driver's own records
    path("me/", records.my_records, name="my_records"),
    path("me/feedback/<int:pk>/delete/", records.my_feedback_delete, name="my_feedback_delete"),
    # Operators (their own stations)
    path("operate/", operate.operate_list, name="operate_list"),
    path("operate/<int:pk>/", operate.operate, name="operate"),
    path("operate/<int:pk>/status/", operate.operate_status, name="operate_status"),
    path("operate/<int:pk>/prices/", operate.operate_prices, name="operate_prices"),
    path("operate/<int:pk>/info/", operate.operate_info, name="operate_info"),
    path("operate/<int:pk>/photos/", operate.operate_photo_add, name="operate_photo_add"),
    path("operate/<int:pk>/photos/<int:photo_id>/remove/", operate.operate_photo_remove, name="operate_photo_remove"),
    path("operate/feedback/<int:pk>/reply/", operate.feedback_reply, name="feedback_reply"),
    path("operate/feedback/<int:pk>/spam/", operate.feedback_spam, name="feedback_spam"),
    # Province console (organisation scope)
    path("console/", console.console, name="console"),
    path("console/new/", console.station_create, name="create"),
    path("console/gaps/", console.gaps, name="gaps"),
    path("console/funding/", funding.funding, name="funding"),
    path("console/funding/<int:pk>/", funding.funding_station, name="funding_station"),
    path("console/funding/<int:pk>/costs/", funding.funding_costs, name="funding_costs"),
    path("console/funding/<int:pk>/subsidies/", funding.funding_subsidy, name="funding_subsidy"),
]
