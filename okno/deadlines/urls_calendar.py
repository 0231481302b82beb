from django.urls import path

from okno.deadlines import views_calendar as views

app_name = "calendars"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("<slug:code>/<int:year>/", views.calendar_year, name="year"),
    path("<slug:code>/day/<str:day>/", views.calendar_day, name="day"),
    path("<slug:code>/day/<str:day>/clear/", views.calendar_day_clear, name="day_clear"),
]
