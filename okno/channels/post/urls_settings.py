"""The administrators' post settings under ``/settings/post/``."""

from django.urls import path

from okno.channels.post import views

app_name = "post_settings"
urlpatterns = [path("", views.settings_page, name="index")]
