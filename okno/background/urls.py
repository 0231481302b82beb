from django.urls import path

from okno.background import views

app_name = "background"
urlpatterns = [
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<str:record_id>/retry/", views.task_retry, name="retry"),
]
