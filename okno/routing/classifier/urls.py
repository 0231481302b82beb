from django.urls import path

from okno.routing.classifier import views

app_name = "classifier"
urlpatterns = [
    path("", views.page, name="page"),
    path("models/<int:pk>/activate/", views.activate, name="activate"),
    path("rollback/<str:target>/", views.rollback, name="rollback"),
    path("train/", views.train, name="train"),
    path("queues/<int:queue_id>/threshold/", views.threshold, name="threshold"),
]
