from django.urls import path

from chelun.appeals.views import console, driver

app_name = "appeals"
urlpatterns = [
    path("", driver.home, name="home"),
    # Drivers (their own)
    path("new/", driver.new, name="new"),
    path("mine/", driver.mine, name="mine"),
    path("mine/<int:pk>/", driver.my_detail, name="my_detail"),
    path("mine/<int:pk>/confirm/", driver.my_confirm, name="my_confirm"),
    path("mine/<int:pk>/reopen/", driver.my_reopen, name="my_reopen"),
    path("help/", driver.help_search, name="help"),
    path("help/<int:pk>/", driver.help_article, name="article"),
    # Staff (organisation scope)
    path("queue/", console.queue, name="queue"),
    path("supervision/", console.supervision, name="supervision"),
    path("routing/", console.routing, name="routing"),
    path("statistics/", console.statistics, name="statistics"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/<slug:action>/", console.step, name="step"),
]
