from django.urls import path

from okno.routing.agents import views

app_name = "agents"

urlpatterns = [
    path("", views.board, name="board"),
    path("wall/", views.wall, name="wall"),
    path("agents/<int:user_id>/status/", views.set_agent_status, name="set_status"),
    path("me/status/", views.my_status, name="my_status"),
]
