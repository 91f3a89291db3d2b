from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from chelun.accounts.views import landing
from chelun.stations.feed import station_feed_view
from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("chelun.accounts.urls")),
    path("orgs/", include("chelun.orgs.urls")),
    path("people/", include("chelun.members.urls")),
    path("stations/", include("chelun.stations.urls")),
    path("appeals/", include("chelun.appeals.urls")),
    path("grid/", include("chelun.grid.urls")),
    path("feed/stations.json", station_feed_view, name="station-feed"),
    # `/` lands each user where their role works (accounts.landing).
    path("", landing, name="home"),
    path("", include("chelun.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
