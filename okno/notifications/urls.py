from django.urls import path

from okno.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("menu/", views.menu, name="menu"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("settings/", views.preferences, name="settings"),
]
