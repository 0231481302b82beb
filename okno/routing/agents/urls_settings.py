from django.urls import path

from okno.routing.agents import views

app_name = "agents_settings"

urlpatterns = [
    path("", views.settings_page, name="index"),
    path("channel-limits/", views.channel_limits, name="channel_limits"),
    path("queues/<int:queue_id>/mode/", views.queue_mode, name="queue_mode"),
    path("<int:user_id>/", views.agent_edit, name="agent"),
]
