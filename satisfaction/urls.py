from django.urls import path

from . import views

app_name = "satisfaction"

urlpatterns = [
    path("quay/", views.kiosk, name="kiosk"),
    path("ket-qua/", views.results, name="results"),
    path("chua-hai-long/", views.follow_ups, name="follow_ups"),
    path("<str:token>/phieu.pdf", views.survey_slip, name="slip"),
    path("<str:token>/", views.survey, name="survey"),
]
