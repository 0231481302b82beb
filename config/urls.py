from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from okno.core.api import api

urlpatterns = [
    path("", include("okno.appeals.urls")),
    path("clients/", include("okno.clients.urls")),
    path("accounts/", include("okno.accounts.urls")),
    path("live/", include("okno.live.urls")),
    path("system/", include("okno.background.urls")),
    path("notifications/", include("okno.notifications.urls")),
    path("settings/calendars/", include("okno.deadlines.urls_calendar")),
    path("settings/mail/", include("okno.channels.mail.urls")),
    path("settings/post/", include("okno.channels.post.urls_settings")),
    path("post/", include("okno.channels.post.urls")),
    path("settings/classifier/", include("okno.routing.classifier.urls")),
    path("settings/routing/agents/", include("okno.routing.agents.urls_settings")),
    path("settings/routing/", include("okno.routing.urls")),
    path("deadlines/", include("okno.deadlines.urls")),
    path("reports/regulator/", include("okno.reports.regulator.urls")),
    path("reports/", include("okno.reports.urls")),
    path("routing/board/", include("okno.routing.agents.urls")),
    path("routing/", include("okno.routing.urls_dispatch")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
